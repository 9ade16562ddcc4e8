//! The registrable domain of a host name (`pool.contoso.com` -> `contoso.com`), from the public
//! suffix list.
//!
//! A crate of its own for the build's sake, not the design's: the list's lookup (the `psl`
//! crate) is generic, so it is compiled into whichever crate calls it. Called from the harness,
//! it was a quarter of the harness's code for the optimiser (`cargo llvm-lines`), on the cold
//! build's critical path. Behind this one function that is not generic, it is compiled here,
//! once, early, and unoptimised (the workspace's manifest says so: a lookup per host the trust
//! check meets needs no more).

/// The registrable domain of `name` (a host name, lower case, without a trailing dot), or
/// `None` when no public suffix has a label above it.
pub fn registrable_domain(name: &str) -> Option<&str> {
    psl::domain_str(name)
}

#[cfg(test)]
mod tests {
    use super::registrable_domain;

    #[test]
    fn a_name_is_cut_at_its_public_suffix() {
        assert_eq!(registrable_domain("pool.contoso.com"), Some("contoso.com"));
        assert_eq!(registrable_domain("a.b.contoso.co.uk"), Some("contoso.co.uk"));
        assert_eq!(registrable_domain("co.uk"), None);
    }
}
