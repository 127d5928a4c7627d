pub mod img;
pub mod pod;
pub mod sch;
