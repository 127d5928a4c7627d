pub mod exp;
pub mod img;
pub mod net;
pub mod pod;
pub mod pss;
pub mod rbac;
pub mod sch;
pub mod sec;
