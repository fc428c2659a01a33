//! The four TOML date-time kinds (RFC 3339 with optional parts) and their canonical display.
//!
//! This module owns the date-time types and their validation (field ranges, days per month,
//! leap years); it does not find where a date-time starts or ends in the source (see `scan`).

use std::fmt;

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// The year, 0000-9999.
    pub year: u16,
    /// The month, 1-12.
    pub month: u8,
    /// The day of the month, 1-31 (checked against the month and leap years).
    pub day: u8,
}

/// A time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Time {
    /// The hour, 0-23.
    pub hour: u8,
    /// The minute, 0-59.
    pub minute: u8,
    /// The second, 0-60 (60 only for a leap second).
    pub second: u8,
    /// Fractional seconds in nanoseconds; digits past the ninth are truncated, as the TOML
    /// specification allows.
    pub nanosecond: u32,
    /// How many fractional digits were written (0-9), so display round-trips them.
    pub precision: u8,
}

/// A UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Offset {
    /// `Z`: UTC.
    Z,
    /// `+hh:mm` or `-hh:mm`, in minutes east of UTC.
    Custom {
        /// Minutes east of UTC (-1439..=1439).
        minutes: i16,
    },
}

/// A TOML date-time: offset date-time, local date-time, local date or local time, according to
/// which parts are present.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Datetime {
    /// The date part, absent for a local time.
    pub date: Option<Date>,
    /// The time part, absent for a local date.
    pub time: Option<Time>,
    /// The offset, present only for an offset date-time.
    pub offset: Option<Offset>,
}

impl Datetime {
    /// The kind's name as the toml-test tags spell it: `datetime`, `datetime-local`,
    /// `date-local` or `time-local`.
    pub fn type_name(&self) -> &'static str {
        match (
            self.date.is_some(),
            self.time.is_some(),
            self.offset.is_some(),
        ) {
            (_, _, true) => "datetime",
            (true, true, false) => "datetime-local",
            (true, false, false) => "date-local",
            _ => "time-local",
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}:{:02}", self.hour, self.minute, self.second)?;
        if self.precision > 0 {
            let digits = format!("{:09}", self.nanosecond);
            write!(f, ".{}", &digits[..self.precision as usize])?;
        }
        Ok(())
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Offset::Z => f.write_str("Z"),
            Offset::Custom { minutes } => {
                let sign = if minutes < 0 { '-' } else { '+' };
                let m = minutes.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

/// RFC 3339 form: `T` between date and time, upper-case `Z`.
impl fmt::Display for Datetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(date) = self.date {
            date.fmt(f)?;
            if self.time.is_some() {
                f.write_str("T")?;
            }
        }
        if let Some(time) = self.time {
            time.fmt(f)?;
        }
        if let Some(offset) = self.offset {
            offset.fmt(f)?;
        }
        Ok(())
    }
}
