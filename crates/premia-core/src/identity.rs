//! Who a person is: the resident identity number (居民身份证号) and what it says (birth date, sex),
//! hashed with a key before anything keeps it.

pub mod resident_id;
