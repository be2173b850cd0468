//! Lists of an enum's variants that cannot leave one out.
//!
//! **Architecture Invariant:** every enum on the wire is written by an exhaustive `match` (names,
//! digest codes, the compiled catalogue's tags), and every list of its variants (what a reader
//! accepts, what a loop visits, what a test round-trips) is `Type::ALL`, built by [`every_variant!`].
//! A new variant then fails to compile until each place says what to do with it: it cannot reach the
//! browser as the first variant, nor be refused by one reader and accepted by another.

/// `[T::A, T::B, …]`: every variant of the fieldless enum `T`, once each, in the order given. A variant
/// left out does not compile (the match in `_every_variant_is_listed` is exhaustive), nor does one
/// named twice (`_NamedOnce` would declare it twice).
macro_rules! every_variant {
    ($t:ident { $($variant:ident),+ $(,)? }) => {{
        #[allow(dead_code)]
        const fn _every_variant_is_listed(value: $t) {
            match value {
                $($t::$variant => {})+
            }
        }
        #[allow(dead_code)]
        enum _NamedOnce {
            $($variant),+
        }
        [$($t::$variant),+]
    }};
}
pub(crate) use every_variant;

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Light {
        Red,
        Amber,
        Green,
    }

    impl Light {
        const ALL: [Light; 3] = every_variant!(Light { Red, Amber, Green });
    }

    #[test]
    fn the_list_keeps_the_order_given() {
        assert_eq!(Light::ALL, [Light::Red, Light::Amber, Light::Green]);
    }
}
