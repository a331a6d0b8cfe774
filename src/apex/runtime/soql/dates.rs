//! Date literal ranges and date functions, in the running user's time zone and calendar
//! settings (SOQL and SOSL Reference, "Date Formats and Date Literals in WHERE" and "Date
//! Functions").

use super::ast::{DateFn, DateLiteral, DateSpan, DateUnit};
use super::source::ExecContext;
use super::value::{Date, Datetime};

/// The half-open range of local dates `[start, end)` a date literal covers today.
///
/// The ranges, as the reference describes them: TODAY/YESTERDAY/TOMORROW one day; THIS_WEEK
/// the seven days from the locale's first day of the week on or before today (LAST_WEEK and
/// NEXT_WEEK the weeks around it); months, quarters, years and fiscal periods whole; LAST_N_DAYS:n
/// (and LAST_90_DAYS) the n days before today *and* today; NEXT_N_DAYS:n (and NEXT_90_DAYS) the n
/// days after today, today excluded; N_DAYS_AGO:n the single day n days ago; LAST_N_x:n for weeks,
/// months, quarters and years the n whole units before the current one; NEXT_N_x:n the n whole
/// units after it; N_x_AGO:n the one unit n units before the current one.
pub(crate) fn range(dl: DateLiteral, ctx: &ExecContext) -> (Date, Date) {
    let today = ctx.now.date_in(ctx.zone);
    if dl.unit == DateUnit::Day {
        return match dl.span {
            DateSpan::This => (today, today.add_days(1)),
            DateSpan::Last => (today.add_days(-1), today),
            DateSpan::Next => (today.add_days(1), today.add_days(2)),
            DateSpan::LastN(n) => (today.add_days(-i64::from(n)), today.add_days(1)),
            DateSpan::NextN(n) => (today.add_days(1), today.add_days(1 + i64::from(n))),
            DateSpan::Ago(n) => (today.add_days(-i64::from(n)), today.add_days(1 - i64::from(n))),
        };
    }
    // The current unit's start, and a function stepping k units from it.
    let (start, step): (Date, Box<dyn Fn(Date, i64) -> Date>) = match dl.unit {
        DateUnit::Week => {
            let back = (i64::from(today.weekday()) - i64::from(ctx.week_start % 7)).rem_euclid(7);
            (today.add_days(-back), Box::new(|d: Date, k: i64| d.add_days(7 * k)))
        }
        DateUnit::Month => (today.month_start_plus(0), Box::new(|d: Date, k: i64| d.month_start_plus(k))),
        DateUnit::Quarter => {
            let (_, m, _) = today.ymd();
            let back = i64::from((m - 1) % 3);
            (today.month_start_plus(-back), Box::new(|d: Date, k: i64| d.month_start_plus(3 * k)))
        }
        DateUnit::Year => {
            let (_, m, _) = today.ymd();
            (today.month_start_plus(-(i64::from(m) - 1)), Box::new(|d: Date, k: i64| d.month_start_plus(12 * k)))
        }
        DateUnit::FiscalQuarter => {
            let back = i64::from(fiscal_month(today, ctx) - 1) % 3;
            (today.month_start_plus(-back), Box::new(|d: Date, k: i64| d.month_start_plus(3 * k)))
        }
        DateUnit::FiscalYear => {
            let back = i64::from(fiscal_month(today, ctx) - 1);
            (today.month_start_plus(-back), Box::new(|d: Date, k: i64| d.month_start_plus(12 * k)))
        }
        DateUnit::Day => unreachable_day(today),
    };
    let n = |n: u32| i64::from(n);
    match dl.span {
        DateSpan::This => (start, step(start, 1)),
        DateSpan::Last => (step(start, -1), start),
        DateSpan::Next => (step(start, 1), step(start, 2)),
        DateSpan::LastN(k) => (step(start, -n(k)), start),
        DateSpan::NextN(k) => (step(start, 1), step(start, 1 + n(k))),
        DateSpan::Ago(k) => (step(start, -n(k)), step(start, 1 - n(k))),
    }
}

/// Days are handled before the match; this keeps the match total without a panic.
fn unreachable_day(today: Date) -> (Date, Box<dyn Fn(Date, i64) -> Date>) {
    (today, Box::new(|d: Date, k: i64| d.add_days(k)))
}

/// The month of the fiscal year (1-12) that `date` falls in.
fn fiscal_month(date: Date, ctx: &ExecContext) -> u32 {
    let (_, m, _) = date.ymd();
    let start = ctx.fiscal_year_start_month.clamp(1, 12);
    (m + 12 - start) % 12 + 1
}

/// The value of a date function. `dt_local` is the datetime already moved to the zone the
/// function works in (UTC, or the user's zone under `convertTimezone()`); `date` a Date field.
pub(crate) fn apply(f: DateFn, date: Date, time_ms: Option<u32>, ctx: &ExecContext) -> i64 {
    let (y, m, d) = date.ymd();
    let fm = fiscal_month(date, ctx);
    match f {
        DateFn::CalendarMonth => i64::from(m),
        DateFn::CalendarQuarter => i64::from((m - 1) / 3 + 1),
        DateFn::CalendarYear => i64::from(y),
        DateFn::DayInMonth => i64::from(d),
        DateFn::DayInWeek => i64::from(date.weekday() + 1),
        DateFn::DayInYear => i64::from(date.day_of_year()),
        DateFn::FiscalMonth => i64::from(fm),
        DateFn::FiscalQuarter => i64::from((fm - 1) / 3 + 1),
        DateFn::FiscalYear => {
            let start_year = if m >= ctx.fiscal_year_start_month.clamp(1, 12) { y } else { y - 1 };
            if ctx.fiscal_year_named_by_start || ctx.fiscal_year_start_month <= 1 {
                i64::from(start_year)
            } else {
                i64::from(start_year + 1)
            }
        }
        DateFn::HourInDay => i64::from(time_ms.unwrap_or(0) / 3_600_000),
        DateFn::WeekInMonth => i64::from((d - 1) / 7 + 1),
        DateFn::WeekInYear => i64::from((date.day_of_year() - 1) / 7 + 1),
        DateFn::DayOnly => i64::from(date.days()),
    }
}

/// A datetime's date and time of day, in UTC or (for `convertTimezone()`) the user's zone.
pub(crate) fn split(dt: Datetime, local: bool, ctx: &ExecContext) -> (Date, u32) {
    let dt = if local { dt.local_in(ctx.zone) } else { dt };
    (dt.date_utc(), dt.time_utc().0)
}
