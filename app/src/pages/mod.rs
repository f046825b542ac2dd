//! One module per page.

pub mod account;
pub mod article;
pub mod author;
pub mod blocked;
pub mod editor;
pub mod error;
pub mod following;
pub mod home;
pub mod moderation;
pub mod not_found;
pub mod popular;
pub mod recovery;
pub mod search;
pub mod tag;
pub mod unsubscribe;
