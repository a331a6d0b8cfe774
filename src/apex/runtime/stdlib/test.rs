//! `Test` (Apex Reference, "Test Class"): `startTest`/`stopTest` (a fresh set of limits
//! between them; the queued async work runs at `stopTest`), `setMock`, `isRunningTest`,
//! `getEventBus`, `setCreatedDate`, `getStandardPricebookId`.

use super::{arg_str, Interp, R};
use crate::apex::runtime::limits::Limits;
use crate::apex::runtime::values::*;

/// `Test.*`
pub fn call_static(it: &mut Interp, name: &str, args: Vec<Value>) -> R<Value> {
    match name {
        "isrunningtest" => Ok(Value::Bool(true)),
        "starttest" => {
            if it.test.started {
                return it.throw("System.FinalException", "Testing has already been started");
            }
            it.test.started = true;
            let outer = std::mem::replace(&mut it.lim, Limits::new(false));
            it.test.outer_limits = Some(outer);
            Ok(Value::Null)
        }
        "stoptest" => {
            if it.test.stopped {
                return it.throw("System.FinalException", "Testing has already been stopped");
            }
            it.test.stopped = true;
            it.run_queued()?;
            if let Some(outer) = it.test.outer_limits.take() {
                it.lim = outer;
            }
            Ok(Value::Null)
        }
        "setmock" => {
            let kind = match args.first() {
                Some(Value::Type(t)) => crate::apex::runtime::interp::ops::type_name(it.p, t).to_ascii_lowercase(),
                _ => return it.npe(),
            };
            let mock = args.get(1).cloned().unwrap_or_default();
            if kind.ends_with("httpcalloutmock") {
                it.test.http_mock = Some(mock);
            } else if kind.ends_with("webservicemock") {
                it.test.ws_mock = Some(mock);
            } else {
                return it.compile_error(format!("Test.setMock: {kind} is not a mock interface"));
            }
            Ok(Value::Null)
        }
        "geteventbus" => Ok(Value::native(Native::EventBus)),
        "setcreateddate" => {
            let id = arg_str(it, &args, 0)?.unwrap_or_default();
            let when = args.get(1).cloned().unwrap_or_default();
            let id18 = crate::apex::runtime::db::ids::to18(&id).unwrap_or(id);
            let table = it.db.find(&id18).map(|(t, _)| t.to_string());
            match table {
                Some(t) => {
                    if let Some(row) = it.db.tables.get_mut(&t).and_then(|rows| rows.get_mut(id18.as_str())) {
                        row.put("CreatedDate", when);
                    }
                    Ok(Value::Null)
                }
                None => it.throw("System.InvalidParameterValueException", format!("Record not found: {id18}")),
            }
        }
        "getstandardpricebookid" => {
            let existing = it
                .db
                .rows("pricebook2")
                .find(|r| matches!(r.get("isstandard"), Some(Value::Bool(true))))
                .and_then(|r| r.id());
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = it.db.new_id("01s");
                    let mut r = SObj::new("Pricebook2");
                    r.put("Id", Value::Id(id.clone()));
                    r.put("Name", Value::str("Standard Price Book"));
                    r.put("IsStandard", Value::Bool(true));
                    r.put("IsActive", Value::Bool(true));
                    it.db.put("pricebook2", r);
                    id
                }
            };
            Ok(Value::Id(id))
        }
        "enablechangedatacapture" => Ok(Value::Null),
        "setfixedsearchresults" => {
            it.test.fixed_search = args.first().cloned();
            Ok(Value::Null)
        }
        "createstub" => super::platform::create_stub(it, args),
        "loaddata" => it.unsupported("Test.loadData (static resource data)"),
        "setcurrentpage" | "setcurrentpagereference" => it.unsupported("Test.setCurrentPage (Visualforce)"),
        _ => it.unsupported(format!("Test.{name}")),
    }
}
