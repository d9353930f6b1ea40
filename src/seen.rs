//! Names met so far in a note (heading IDs, block IDs), each with what was noted at its first
//! meeting: looked through while they are few, as in most notes, and looked up by hash once
//! they are many, so that a note of thousands costs no more for each than a note of ten.

use std::collections::HashMap;

/// Names in the order first met, each with its value.
#[derive(Debug)]
pub struct Seen<V> {
    list: Vec<(String, V)>,
    /// Each name's place in `list`, once there are [`Seen::MANY`].
    places: HashMap<String, usize>,
}

impl<V> Default for Seen<V> {
    fn default() -> Self {
        Seen {
            list: Vec::new(),
            places: HashMap::new(),
        }
    }
}

impl<V> Seen<V> {
    const MANY: usize = 16;

    /// The value noted when `name` was first met, if it was.
    pub fn get(&self, name: &str) -> Option<&V> {
        let place = if self.list.len() < Self::MANY {
            self.list.iter().position(|(given, _)| given == name)?
        } else {
            *self.places.get(name)?
        };
        Some(&self.list[place].1)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Notes `name` with `value`, unless it was met before (its first value stays).
    pub fn insert(&mut self, name: String, value: V) {
        if self.contains(&name) {
            return;
        }
        self.list.push((name, value));
        if self.list.len() == Self::MANY {
            self.places = (self.list.iter().enumerate())
                .map(|(place, (name, _))| (name.clone(), place))
                .collect();
        } else if self.list.len() > Self::MANY {
            let place = self.list.len() - 1;
            self.places.insert(self.list[place].0.clone(), place);
        }
    }

    /// The names, in the order first met.
    pub fn into_names(self) -> impl Iterator<Item = String> {
        self.list.into_iter().map(|(name, _)| name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_value_of_each_name_is_found_before_and_after_there_are_many() {
        let mut seen = Seen::default();
        for round in 0..2 {
            for i in 0..40 {
                seen.insert(format!("n{i}"), (round, i));
            }
        }
        for i in 0..40 {
            assert_eq!(seen.get(&format!("n{i}")), Some(&(0, i)));
        }
        assert!(!seen.contains("n40"));
        let names: Vec<String> = seen.into_names().collect();
        assert_eq!(names, (0..40).map(|i| format!("n{i}")).collect::<Vec<_>>());
    }
}
