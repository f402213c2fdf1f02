//! A submitted form's fields, read by name.

/// The fields of a form, in the order sent (a name may repeat).
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The first value of `name`; empty when absent.
    pub fn text(&self, name: &str) -> &str {
        self.0.iter().find(|(key, _)| key == name).map_or("", |(_, value)| value.as_str())
    }

    /// The value of `name` trimmed, `None` when empty.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name).trim().to_owned()).filter(|value| !value.is_empty())
    }

    /// Whether the checkbox `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(key, value)| key == name && value != "false")
    }
}
