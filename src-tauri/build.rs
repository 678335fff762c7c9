fn main() {
    // The shared app registration a build may carry (src/registration.rs, `option_env!`).
    for variable in [
        "EXACT_OFFLINE_CLIENT_ID",
        "EXACT_OFFLINE_CLIENT_SECRET",
        "EXACT_OFFLINE_REDIRECT_URI",
        "EXACT_OFFLINE_REGION",
    ] {
        println!("cargo:rerun-if-env-changed={variable}");
    }
    tauri_build::build();
}
