//! The Node-API glue napi-rs needs at link time.

fn main() {
    napi_build::setup();
}
