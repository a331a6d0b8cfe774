//! Calendar arithmetic for Date, Datetime and Time (proleptic Gregorian, as Java's and therefore
//! Apex's), without a time-zone database: the running user of a test is in GMT (sfgen's choice,
//! documented in the README), so local time is GMT.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count: (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether a year is a leap year.
pub fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in a month.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Splits a Datetime (ms since epoch) into (days, ms of day).
pub fn split(ms: i64) -> (i64, i64) {
    (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS))
}

/// `yyyy-MM-dd`
pub fn fmt_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:mm:ss`
pub fn fmt_time_of_day(ms: i64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// `yyyy-MM-dd HH:mm:ss` (what `String.valueOf(Datetime)` gives, in the user's zone: GMT).
pub fn fmt_datetime(ms: i64) -> String {
    let (d, t) = split(ms);
    format!("{} {}", fmt_date(d), fmt_time_of_day(t))
}

/// ISO 8601 with milliseconds and `Z`, as `JSON.serialize` writes a Datetime
/// (`2024-01-05T10:00:00.000Z`).
pub fn fmt_iso(ms: i64) -> String {
    let (d, t) = split(ms);
    format!("{}T{}.{:03}Z", fmt_date(d), fmt_time_of_day(t), t % 1000)
}

/// Adds months to a date, clamping the day to the month's length (Java's `plusMonths`).
pub fn add_months(days: i64, months: i64) -> i64 {
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + (m as i64 - 1) + months;
    let ny = total.div_euclid(12);
    let nm = (total.rem_euclid(12) + 1) as u32;
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd)
}

/// Parses `yyyy-MM-dd` (optionally followed by a time part, ignored).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let head = s.get(..10)?;
    let mut it = head.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Parses an ISO 8601 datetime (`2024-01-05T10:00:00.000Z`, `+01:00` offsets, or a space for
/// the `T`), or `yyyy-MM-dd HH:mm:ss` (taken as the user's zone, GMT).
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let days = parse_date(s)?;
    let rest = s.get(10..)?.trim_start_matches(['T', ' ']);
    if rest.is_empty() {
        return Some(days * DAY_MS);
    }
    let (clock, offset_ms) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0)
    } else if let Some(pos) = rest.rfind(['+', '-']).filter(|p| *p >= 5) {
        let (c, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let off = off[1..].replace(':', "");
        let h: i64 = off.get(..2)?.parse().ok()?;
        let m: i64 = off.get(2..4).unwrap_or("0").parse().ok()?;
        (c, sign * (h * 3600 + m * 60) * 1000)
    } else {
        (rest, 0)
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next().unwrap_or("0").parse().ok()?;
    let sec = parts.next().unwrap_or("0");
    let (sec, frac) = sec.split_once('.').unwrap_or((sec, "0"));
    let sec: i64 = sec.parse().ok()?;
    let frac: String = frac.chars().chain("000".chars()).take(3).collect();
    let ms: i64 = frac.parse().ok()?;
    Some(days * DAY_MS + ((h * 60 + mi) * 60 + sec) * 1000 + ms - offset_ms)
}

/// Day of week, 1 = Sunday ... 7 = Saturday.
pub fn weekday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday (5).
    ((days + 4).rem_euclid(7) + 1) as u32
}

/// Formats a Datetime (GMT) with a Java `SimpleDateFormat` pattern (the letters Apex code
/// uses: y M d H h m s S a E z Z X, quoted text).
pub fn format_pattern(ms: i64, pattern: &str) -> String {
    let (days, t) = split(ms);
    let (y, m, d) = civil_from_days(days);
    let hour = t / 3_600_000;
    let minute = (t / 60_000) % 60;
    let second = (t / 1000) % 60;
    let milli = t % 1000;
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let mut j = i + 1;
            if j < chars.len() && chars[j] == '\'' {
                out.push('\'');
                i += 2;
                continue;
            }
            while j < chars.len() && chars[j] != '\'' {
                out.push(chars[j]);
                j += 1;
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let num = |v: i64, w: usize| format!("{v:0w$}");
        match c {
            'y' => out.push_str(&if n == 2 { num(y.rem_euclid(100), 2) } else { num(y, n) }),
            'M' => out.push_str(&match n {
                1 | 2 => num(m as i64, n),
                3 => MONTHS[(m - 1) as usize][..3].to_string(),
                _ => MONTHS[(m - 1) as usize].to_string(),
            }),
            'd' => out.push_str(&num(d as i64, n)),
            'H' => out.push_str(&num(hour, n)),
            'h' => out.push_str(&num(if hour % 12 == 0 { 12 } else { hour % 12 }, n)),
            'k' => out.push_str(&num(if hour == 0 { 24 } else { hour }, n)),
            'm' => out.push_str(&num(minute, n)),
            's' => out.push_str(&num(second, n)),
            'S' => out.push_str(&num(milli, 3)[..n.clamp(1, 3)]),
            'a' => out.push_str(if hour < 12 { "AM" } else { "PM" }),
            'E' => {
                let w = DAYS[(weekday(days) - 1) as usize];
                out.push_str(if n >= 4 { w } else { &w[..3] });
            }
            'u' => out.push_str(&(((weekday(days) + 5) % 7) + 1).to_string()),
            'D' => out.push_str(&num(days - days_from_civil(y, 1, 1) + 1, n)),
            'z' => out.push_str(if n >= 4 { "Greenwich Mean Time" } else { "GMT" }),
            'Z' => out.push_str("+0000"),
            'X' => out.push('Z'),
            'G' => out.push_str("AD"),
            _ => {
                for _ in 0..n {
                    out.push(c);
                }
            }
        }
        i += n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_formats() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(fmt_iso(parse_datetime("2024-01-05T10:00:00.123Z").unwrap()), "2024-01-05T10:00:00.123Z");
        assert_eq!(fmt_iso(parse_datetime("2024-01-05T10:00:00+01:00").unwrap()), "2024-01-05T09:00:00.000Z");
        assert_eq!(fmt_date(add_months(days_from_civil(2024, 1, 31), 1)), "2024-02-29");
        assert_eq!(weekday(days_from_civil(2024, 1, 7)), 1, "a Sunday");
        let t = parse_datetime("2024-03-05 14:07:09").unwrap();
        assert_eq!(format_pattern(t, "yyyy-MM-dd'T'HH:mm:ss.SSS h a EEE MMM"), "2024-03-05T14:07:09.000 2 PM Tue Mar");
    }
}
