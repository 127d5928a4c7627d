pub mod exp;
pub mod img;
pub mod pod;
pub mod rbac;
pub mod sch;
pub mod sec;
