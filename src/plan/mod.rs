//! The planning stage between the operations and the model: which config a run reads and the
//! project it makes ([`load`]), the desired state a package, diff or check works from (the
//! generated tree and the `--include` inputs, [`desired`]), and what sfgen prints after writing:
//! the `sf` commands that validate and deploy it ([`deploy`]) and the steps around them
//! ([`next_steps`], with the delivery-specific ones in [`delivery_steps`]).
//!
//! Every operation in [`crate::ops`] plans through here; nothing here prints or writes.

pub mod delivery_steps;
pub mod deploy;
pub mod desired;
pub mod load;
pub mod next_steps;
