//! Enums whose values travel as fixed upper-case names (`STRAIGHT`, `ADOPT_VALUE_EQUATION`),
//! stored and sent the same way: one macro gives each its `as_str` and a `parse` that names the
//! input field when it refuses a value.

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// The stored and wire name.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses [`Self::as_str`].
            pub fn parse(text: &str) -> Result<Self, $crate::DomainError> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    other => Err($crate::DomainError::invalid($field, format!("unknown value `{other}`"))),
                }
            }
        }
    };
}

pub(crate) use wire_enum;
