//! Building blocks shared by pages.

pub mod article_list;
pub mod layout;
pub mod meta;
pub mod pager;
pub mod theme;
