//! The SOQL engine's own values, independent of the interpreter's: what binds pass in and what
//! result rows hold. Dates are days since 1970-01-01, datetimes milliseconds since the epoch in
//! UTC (GMT, as Salesforce stores them), times milliseconds since midnight.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;
use std::fmt;

const DAY_MS: i64 = 86_400_000;

/// A value crossing the engine's boundary (binds in, field values in and out).
///
/// Conversion points for the interpreter: an Apex `Integer` is [`Value::Integer`], `Long`
/// [`Value::Long`], `Decimal` [`Value::Decimal`], `Double` [`Value::Double`], `String`
/// [`Value::String`], `Id` [`Value::Id`], `Date`/`Datetime`/`Time` the types below, any collection
/// (`List`, `Set`, the values of a `Map`) [`Value::List`]. An SObject bound to a query (`Id IN
/// :accounts`, `WhatId = :acct`) is passed as its Id, as Apex does.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// Boolean.
    Boolean(bool),
    /// 32-bit Integer.
    Integer(i32),
    /// 64-bit Long.
    Long(i64),
    /// Arbitrary-precision Decimal (currency, number and percent fields).
    Decimal(Decimal),
    /// Double.
    Double(f64),
    /// Text (and picklist values; a multi-select picklist is its values joined by `;`).
    String(String),
    /// A record Id (15 or 18 characters).
    Id(String),
    /// A calendar date.
    Date(Date),
    /// An instant, UTC.
    Datetime(Datetime),
    /// A time of day.
    Time(Time),
    /// A collection bound to `IN`, `NOT IN`, `INCLUDES`, `EXCLUDES` (or `=` with a collection).
    List(Vec<Value>),
}

impl Value {
    /// The Apex type name of the value, as error messages name it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "Boolean",
            Value::Integer(_) => "Integer",
            Value::Long(_) => "Long",
            Value::Decimal(_) => "Decimal",
            Value::Double(_) => "Double",
            Value::String(_) => "String",
            Value::Id(_) => "Id",
            Value::Date(_) => "Date",
            Value::Datetime(_) => "Datetime",
            Value::Time(_) => "Time",
            Value::List(_) => "List",
        }
    }

    /// Whether the value is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a Decimal when it is a number (a Double that is not finite is not one).
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Integer(i) => Some(Decimal::from(*i)),
            Value::Long(l) => Some(Decimal::from(*l)),
            Value::Decimal(d) => Some(*d),
            Value::Double(f) => Decimal::from_f64(*f),
            _ => None,
        }
    }

    /// The value as a Double when it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Integer(i) => Some(f64::from(*i)),
            Value::Long(l) => Some(*l as f64),
            Value::Decimal(d) => d.to_f64(),
            Value::Double(f) => Some(*f),
            _ => None,
        }
    }

    /// The text of a String or an Id.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Id(s) => Some(s),
            _ => None,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Boolean(b)
    }
}
impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Integer(i)
    }
}
impl From<i64> for Value {
    fn from(l: i64) -> Self {
        Value::Long(l)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Double(f)
    }
}
impl From<Decimal> for Value {
    fn from(d: Decimal) -> Self {
        Value::Decimal(d)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<Date> for Value {
    fn from(d: Date) -> Self {
        Value::Date(d)
    }
}
impl From<Datetime> for Value {
    fn from(d: Datetime) -> Self {
        Value::Datetime(d)
    }
}
impl From<Time> for Value {
    fn from(t: Time) -> Self {
        Value::Time(t)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Boolean(b) => write!(f, "{b}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Long(l) => write!(f, "{l}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Double(x) => write!(f, "{x}"),
            Value::String(s) | Value::Id(s) => write!(f, "{s}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Datetime(d) => write!(f, "{d}"),
            Value::Time(t) => write!(f, "{t}"),
            Value::List(items) => {
                write!(f, "(")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, ")")
            }
        }
    }
}

/// A calendar date: days since 1970-01-01 (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// The dates Salesforce accepts: years 1700 to 4000 (the documented range of Date fields).
const MIN_YEAR: i32 = 1700;
const MAX_YEAR: i32 = 4000;

impl Date {
    /// The date of `year-month-day`, or `None` when it does not exist (or is outside 1700-4000).
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i32 {
        self.0
    }

    /// (year, month 1-12, day 1-31).
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Day of the week, 0 = Sunday .. 6 = Saturday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday (4).
        (i64::from(self.0) + 4).rem_euclid(7) as u32
    }

    /// This date plus `n` days (saturating).
    pub fn add_days(self, n: i64) -> Date {
        Date((i64::from(self.0) + n).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    /// The first day of the month `n` months after this date's month (n may be negative).
    pub fn month_start_plus(self, n: i64) -> Date {
        let (y, m, _) = self.ymd();
        let total = i64::from(y) * 12 + i64::from(m - 1) + n;
        let year = total.div_euclid(12).clamp(-1_000_000, 1_000_000) as i32;
        let month = (total.rem_euclid(12) + 1) as u32;
        Date(days_from_civil(year, month, 1))
    }

    /// Day of the year, 1-366.
    pub fn day_of_year(self) -> u32 {
        let (y, _, _) = self.ymd();
        (self.0 - days_from_civil(y, 1, 1) + 1) as u32
    }

    /// Midnight of this date in UTC.
    pub fn to_datetime_utc(self) -> Datetime {
        Datetime(i64::from(self.0) * DAY_MS)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Datetime(pub i64);

impl Datetime {
    /// The instant `millis` after the epoch.
    pub fn from_millis(millis: i64) -> Datetime {
        Datetime(millis)
    }

    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// The UTC date of this instant.
    pub fn date_utc(self) -> Date {
        Date(self.0.div_euclid(DAY_MS).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
    }

    /// The UTC time of day of this instant.
    pub fn time_utc(self) -> Time {
        Time(self.0.rem_euclid(DAY_MS) as u32)
    }

    /// The date of this instant in `zone`.
    pub fn date_in(self, zone: &dyn Zone) -> Date {
        Datetime(self.0.saturating_add(zone.offset_ms(self.0))).date_utc()
    }

    /// The local (wall clock) instant in `zone`, as if it were UTC.
    pub fn local_in(self, zone: &dyn Zone) -> Datetime {
        Datetime(self.0.saturating_add(zone.offset_ms(self.0)))
    }
}

impl fmt::Display for Datetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.time_utc();
        write!(f, "{} {}", self.date_utc(), t)
    }
}

/// A time of day: milliseconds since midnight (0 .. 86 400 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u32);

impl Time {
    /// The time `h:m:s.ms`, or `None` when out of range.
    pub fn from_hms_milli(h: u32, m: u32, s: u32, ms: u32) -> Option<Time> {
        if h > 23 || m > 59 || s > 59 || ms > 999 {
            return None;
        }
        Some(Time(((h * 60 + m) * 60 + s) * 1000 + ms))
    }

    /// (hour, minute, second, millisecond).
    pub fn hms_milli(self) -> (u32, u32, u32, u32) {
        let ms = self.0 % 1000;
        let s = self.0 / 1000;
        (s / 3600, (s / 60) % 60, s % 60, ms)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s, ms) = self.hms_milli();
        write!(f, "{h:02}:{m:02}:{s:02}.{ms:03}Z")
    }
}

/// The running user's time zone, as the interpreter models it (a fixed offset, or a zone with
/// daylight saving time backed by whatever time-zone data the interpreter carries).
pub trait Zone {
    /// The offset from UTC, in milliseconds, in force at the instant `utc_ms`.
    fn offset_ms(&self, utc_ms: i64) -> i64;
}

/// A zone with one fixed offset (`FixedZone(0)` is GMT, Salesforce's default for a test user
/// with no zone of its own in this engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedZone(pub i64);

impl Zone for FixedZone {
    fn offset_ms(&self, _utc_ms: i64) -> i64 {
        self.0
    }
}

/// The instant of local midnight starting `date` in `zone` (for a zone whose offset changes at
/// that midnight, the offset in force just after it).
pub fn local_midnight(date: Date, zone: &dyn Zone) -> Datetime {
    let local = i64::from(date.0) * DAY_MS;
    let first = local.saturating_sub(zone.offset_ms(local));
    let second = local.saturating_sub(zone.offset_ms(first));
    Datetime(second)
}

/// Whether `year` is a leap year.
pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1-12) of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// The civil date of a day count (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_weekdays() {
        for days in [-800_000, -1, 0, 1, 59, 365, 10_957, 19_000, 800_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(Date::from_ymd(1970, 1, 1), Some(Date(0)));
        assert_eq!(Date::from_ymd(2000, 2, 29).map(|d| d.ymd()), Some((2000, 2, 29)));
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert_eq!(Date::from_ymd(2024, 13, 1), None);
        // 2024-06-09 was a Sunday.
        assert_eq!(Date::from_ymd(2024, 6, 9).map(Date::weekday), Some(0));
        let d = Date::from_ymd(2024, 1, 31).unwrap();
        assert_eq!(d.month_start_plus(1).ymd(), (2024, 2, 1));
        assert_eq!(d.month_start_plus(-1).ymd(), (2023, 12, 1));
        assert_eq!(d.month_start_plus(-13).ymd(), (2022, 12, 1));
        assert_eq!(Date::from_ymd(2024, 12, 31).unwrap().day_of_year(), 366);
    }

    #[test]
    fn zones_move_the_local_date() {
        let pst = FixedZone(-8 * 3_600_000);
        // 2024-03-01T05:00Z is still Feb 29 in California.
        let dt = Datetime(Date::from_ymd(2024, 3, 1).unwrap().to_datetime_utc().0 + 5 * 3_600_000);
        assert_eq!(dt.date_in(&pst).ymd(), (2024, 2, 29));
        let midnight = local_midnight(Date::from_ymd(2024, 3, 1).unwrap(), &pst);
        assert_eq!(midnight.0 - Date::from_ymd(2024, 3, 1).unwrap().to_datetime_utc().0, 8 * 3_600_000);
    }
}
