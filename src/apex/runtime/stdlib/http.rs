//! `Http`, `HttpRequest`, `HttpResponse` and `Url` (Apex Reference). A test's callout goes to
//! the `Test.setMock(HttpCalloutMock.class, mock)` mock's `respond`; the platform's rules apply
//! ("Testing HTTP Callouts", "Performing DML Operations and Mock Callouts", Apex Developer
//! Guide):
//! - no mock: `System.TypeException: Methods defined as TestMethod do not support Web service
//!   callouts` (the message Salesforce StackExchange 244797 and the Help articles quote);
//! - a DML statement earlier in the same transaction (before `Test.startTest()` starts a fresh
//!   one): `System.CalloutException: You have uncommitted work pending. Please commit or
//!   rollback before calling out`;
//! - more than 100 callouts: `System.LimitException: Too many callouts: 101`.

use super::{arg_int, arg_str, Interp, R};
use crate::apex::runtime::limits::max;
use crate::apex::runtime::values::*;
use std::cell::RefCell;
use std::rc::Rc;

/// `Http.send(request)` and the methods of requests, responses and URLs.
pub fn method(it: &mut Interp, n: &Rc<RefCell<Native>>, name: &str, args: Vec<Value>) -> R<Value> {
    let is_http = matches!(&*n.borrow(), Native::Http);
    if is_http {
        return match name {
            "send" => send(it, args),
            _ => it.unsupported(format!("Http.{name}")),
        };
    }
    if let Native::Url(u) = &*n.borrow() {
        let u = u.to_string();
        return url_method(it, &u, name);
    }
    let is_request = matches!(&*n.borrow(), Native::HttpRequest(_));
    let mut b = n.borrow_mut();
    let (Native::HttpRequest(m) | Native::HttpResponse(m)) = &mut *b else { return Ok(Value::Null) };
    let s = |i: usize| -> Option<String> {
        match args.get(i) {
            Some(Value::Str(s)) | Some(Value::Id(s)) => Some(s.to_string()),
            _ => None,
        }
    };
    Ok(match name {
        "setendpoint" => {
            m.endpoint = s(0).unwrap_or_default();
            Value::Null
        }
        "getendpoint" => Value::str(&m.endpoint),
        "setmethod" => {
            m.method = s(0).unwrap_or_default();
            Value::Null
        }
        "getmethod" => Value::str(&m.method),
        "setheader" => {
            let (k, v) = (s(0).unwrap_or_default(), s(1).unwrap_or_default());
            m.set_header(&k, &v);
            Value::Null
        }
        "getheader" => match s(0) {
            Some(k) => m.header(&k).map(Value::str).unwrap_or_default(),
            None => Value::Null,
        },
        "getheaderkeys" => Value::list(Ty::String, m.headers.iter().map(|(k, _)| Value::str(k)).collect()),
        "setbody" => {
            m.body = s(0).map(String::into_bytes);
            Value::Null
        }
        "getbody" => m.body.as_ref().map(|b| Value::str(String::from_utf8_lossy(b))).unwrap_or_else(|| Value::str("")),
        "setbodyasblob" => {
            m.body = match args.first() {
                Some(Value::Blob(b)) => Some(b.to_vec()),
                _ => None,
            };
            Value::Null
        }
        "getbodyasblob" => m.body.as_ref().map(|b| Value::Blob(Rc::new(b.clone()))).unwrap_or_default(),
        "settimeout" => {
            let t = match args.first() {
                Some(Value::Int(t)) => *t,
                _ => 0,
            };
            if !(1..=120_000).contains(&t) {
                drop(b);
                return it.throw("System.CalloutException", "Timeout value must be between 1 and 120000 milliseconds");
            }
            m.timeout = t;
            Value::Null
        }
        "setcompressed" => {
            m.compressed = matches!(args.first(), Some(Value::Bool(true)));
            Value::Null
        }
        "getcompressed" => Value::Bool(m.compressed),
        "setclientcertificatename" | "setclientcertificate" => Value::Null,
        "setstatuscode" => {
            m.status_code = match args.first() {
                Some(Value::Int(c)) => *c,
                _ => 0,
            };
            Value::Null
        }
        "getstatuscode" => Value::Int(m.status_code),
        "setstatus" => {
            m.status = s(0).unwrap_or_default();
            Value::Null
        }
        "getstatus" => Value::str(&m.status),
        "tostring" => {
            let t = if is_request {
                format!("System.HttpRequest[Endpoint={}, Method={}]", m.endpoint, m.method)
            } else {
                format!("System.HttpResponse[Status={}, StatusCode={}]", m.status, m.status_code)
            };
            Value::str(t)
        }
        _ => {
            drop(b);
            return it.unsupported(format!("HttpRequest/HttpResponse.{name}"));
        }
    })
}

fn send(it: &mut Interp, args: Vec<Value>) -> R<Value> {
    let req = match args.first() {
        Some(v @ Value::Native(n)) if matches!(&*n.borrow(), Native::HttpRequest(_)) => v.clone(),
        Some(Value::Null) | None => return it.npe(),
        Some(_) => return it.compile_error("Http.send takes an HttpRequest"),
    };
    if let Value::Native(n) = &req {
        if let Native::HttpRequest(r) = &*n.borrow() {
            if r.endpoint.is_empty() {
                return it.throw("System.CalloutException", "Endpoint URL is not set");
            }
        }
    }
    it.lim.callouts += 1;
    if it.lim.callouts > max::CALLOUTS {
        let n = it.lim.callouts;
        return it.limit(format!("Too many callouts: {n}"));
    }
    if it.lim.uncommitted_dml {
        return it.throw(
            "System.CalloutException",
            "You have uncommitted work pending. Please commit or rollback before calling out",
        );
    }
    let Some(mock) = it.test.http_mock.clone() else {
        return it.throw("System.TypeException", "Methods defined as TestMethod do not support Web service callouts");
    };
    let resp = it.call_method_value(&mock, "respond", vec![req])?;
    match &resp {
        Value::Native(n) if matches!(&*n.borrow(), Native::HttpResponse(_)) => Ok(resp),
        Value::Null => Ok(Value::Null),
        _ => it.throw("System.TypeException", "HttpCalloutMock.respond did not return an HttpResponse"),
    }
}

/// `Url.getOrgDomainUrl()` & co.
pub fn call_url_static(it: &mut Interp, name: &str, _args: Vec<Value>) -> R<Value> {
    match name {
        "getorgdomainurl" | "getsalesforcebaseurl" | "getcurrentrequesturl" => {
            Ok(Value::native(Native::Url("https://sfgen-test.my.salesforce.com".into())))
        }
        _ => it.unsupported(format!("Url.{name}")),
    }
}

fn url_method(it: &mut Interp, u: &str, name: &str) -> R<Value> {
    let (proto, rest) = u.split_once("://").unwrap_or(("", u));
    let (host_port, path_q) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, String::new()));
    let (path, query) =
        path_q.split_once('?').map(|(p, q)| (p.to_string(), Some(q.to_string()))).unwrap_or((path_q.clone(), None));
    Ok(match name {
        "toexternalform" | "tostring" => Value::str(u),
        "gethost" => Value::str(host_port.split(':').next().unwrap_or("")),
        "getprotocol" => Value::str(proto),
        "getpath" => Value::str(path),
        "getquery" => query.map(Value::str).unwrap_or_default(),
        "getport" => Value::Int(host_port.split(':').nth(1).and_then(|p| p.parse().ok()).unwrap_or(-1)),
        _ => return it.unsupported(format!("Url.{name}")),
    })
}

#[allow(dead_code)]
fn unused(it: &mut Interp, args: &[Value]) -> R<()> {
    let _ = arg_int(it, args, 0)?;
    let _ = arg_str(it, args, 0)?;
    Ok(())
}
