//! Keeps `docs/fields.md` in step with the field registry: fails when the checked-in reference
//! differs from `okta_stream::fields::markdown_reference()`. Run with `UPDATE_DOCS=1` to rewrite it.

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/fields.md");

#[test]
fn docs_fields_md_is_generated_from_the_registry() {
    let generated = okta_stream::fields::markdown_reference();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        if let Some(dir) = std::path::Path::new(DOC).parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(DOC, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(DOC).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/fields.md is out of date with the field registry; regenerate it with \
         `UPDATE_DOCS=1 cargo test -p okta-stream --test fields_doc`"
    );
}
