pub mod img;
pub mod pod;
pub mod pss;
pub mod sch;
