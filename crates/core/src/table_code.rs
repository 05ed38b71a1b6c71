//! The traits every code backed by a shipped reference table shares (industry codes, district codes): equality,
//! order and hashing by the code text, display, parsing, and serde as a validated string.

/// Implements the shared traits for `$Code(&'static Entry)` where the entry has a `code: &'static str` field and
/// `$Code::parse(&str) -> Result<$Code, $Error>` exists.
macro_rules! table_code {
    ($Code:ident, $Error:ty) => {
        impl PartialEq for $Code {
            fn eq(&self, other: &Self) -> bool {
                self.0.code == other.0.code
            }
        }

        impl Eq for $Code {}

        impl std::hash::Hash for $Code {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.code.hash(state);
            }
        }

        impl PartialOrd for $Code {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $Code {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.0.code.cmp(other.0.code)
            }
        }

        impl std::fmt::Debug for $Code {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($Code))
                    .field(&self.0.code)
                    .finish()
            }
        }

        impl std::fmt::Display for $Code {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0.code)
            }
        }

        impl std::str::FromStr for $Code {
            type Err = $Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $Code::parse(s)
            }
        }

        impl AsRef<str> for $Code {
            fn as_ref(&self) -> &str {
                self.0.code
            }
        }

        impl serde::Serialize for $Code {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.0.code)
            }
        }

        impl<'de> serde::Deserialize<'de> for $Code {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $Code::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use table_code;
