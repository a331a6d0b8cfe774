//! Placeholder: being built. Owned by one helper until it lands.
