//! The OpenAPI reader: the seed export, with templates placed at their lines of the file.

use std::path::Path;

use vtl_tools::import::{Options, load};

#[test]
fn the_seed_export_keeps_where_its_templates_are() {
    let source = load(Path::new("../examples/seed/api.yaml"), &Options::default()).unwrap();
    let method = &source.apis[0].api.methods[0];
    let integration = method.integration.as_ref().unwrap();
    let t = &integration.request_templates["application/json"];
    assert!(t.text().starts_with("{\n  \"pathParams\": {\n#foreach"));
    assert_eq!(
        t.origin().unwrap().to_string(),
        "../examples/seed/api.yaml:53:13"
    );
    let foreach = t.text().find("#foreach").unwrap();
    assert_eq!(
        t.locate(foreach),
        (Some("../examples/seed/api.yaml"), 55, 13)
    );
    let error = &integration.responses[1];
    assert_eq!(
        error.selection_pattern.as_ref().unwrap().text(),
        "^\\[400:.*"
    );
    assert_eq!(error.status_code, 400);
    assert_eq!(
        error
            .selection_pattern
            .as_ref()
            .unwrap()
            .origin()
            .unwrap()
            .start(),
        (43, 12)
    );
}
