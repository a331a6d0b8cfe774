//! Placeholder: being built (see the issue tracker). Owned by one helper until it lands.
