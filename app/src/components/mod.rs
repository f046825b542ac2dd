//! Building blocks shared by pages.

pub mod article_list;
pub mod layout;
pub mod theme;
