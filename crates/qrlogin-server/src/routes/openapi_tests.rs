use crate::routes::ApiDoc;
use serde_json::Value;
use utoipa::OpenApi as _;

fn doc() -> Value {
    serde_json::to_value(ApiDoc::openapi()).expect("the document serialises")
}

fn operations(doc: &Value) -> impl Iterator<Item = (String, String, Value)> + '_ {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .filter(|(m, _)| ["get", "post", "put", "delete", "patch"].contains(&m.as_str()))
                .map(move |(m, op)| (path.clone(), m.clone(), op.clone()))
        })
}

#[test]
fn every_api_error_response_is_problem_json() {
    let doc = doc();
    for (path, method, op) in operations(&doc).filter(|(p, _, _)| p.starts_with("/api/")) {
        for (status, resp) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                let content = resp["content"].as_object().unwrap();
                let keys: Vec<_> = content.keys().collect();
                assert_eq!(
                    keys,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem"
                );
            }
        }
    }
}

#[test]
fn every_api_operation_lists_the_shared_statuses() {
    let doc = doc();
    for (path, method, op) in operations(&doc).filter(|(p, _, _)| p.starts_with("/api/")) {
        let r = &op["responses"];
        for status in ["429", "500", "503"] {
            assert!(r.get(status).is_some(), "{method} {path} lacks {status}");
        }
        if method == "post" {
            assert!(
                r.get("413").is_some() && r.get("415").is_some(),
                "{method} {path}"
            );
        }
        if op.get("security").is_some() {
            assert!(r.get("401").is_some(), "{method} {path} lacks 401");
        }
    }
}

#[test]
fn a_qr_id_in_a_path_has_its_pattern() {
    let doc = doc();
    let mut seen = 0;
    for (path, method, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["name"] == "qr_id" {
                seen += 1;
                assert_eq!(
                    p["schema"]["pattern"], "^[A-Za-z0-9_-]{22}$",
                    "{method} {path}"
                );
            }
        }
    }
    assert!(seen >= 10, "only {seen} qr_id parameters");
}

#[test]
fn wait_and_since_are_optional_and_wait_is_at_most_sixty() {
    let doc = doc();
    let params = doc["paths"]["/api/v1/qr/{qr_id}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    let find = |name: &str| params.iter().find(|p| p["name"] == name).unwrap().clone();
    let wait = find("wait");
    let since = find("since");
    assert_eq!(wait["in"], "query");
    assert_ne!(wait["required"], true);
    assert_ne!(since["required"], true);
    assert_eq!(wait["schema"]["maximum"], 60);
    assert_eq!(wait["schema"]["minimum"], 0);
}

#[test]
fn the_bearer_schemes_are_declared() {
    let doc = doc();
    for name in ["poll_token", "mobile_token", "session_token"] {
        let s = &doc["components"]["securitySchemes"][name];
        assert_eq!(s["type"], "http", "{name}");
        assert_eq!(s["scheme"], "bearer", "{name}");
    }
}
