pub mod img;
pub mod pod;
pub mod rbac;
pub mod sch;
