pub mod exp;
pub mod img;
pub mod pod;
pub mod sch;
pub mod sec;
