//! The user's settings, one JSON file per data folder, written atomically.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::dto::Settings;

const FILE: &str = "settings.json";

/// Batch sizes the engine accepts (records per transaction).
pub const BATCH_SIZES: std::ops::RangeInclusive<u32> = 1..=5000;

fn path(dir: &Path) -> PathBuf {
    dir.join(FILE)
}

/// The saved settings, or the defaults when none were saved. A damaged file is set aside
/// (`settings.json.damaged`) and the defaults are used, so the app always starts.
pub fn load(dir: &Path) -> Settings {
    let path = path(dir);
    let Ok(bytes) = std::fs::read(&path) else {
        return Settings::default();
    };
    match serde_json::from_slice::<Settings>(&bytes) {
        Ok(settings) => settings,
        Err(e) => {
            tracing::warn!(error = %e, "the settings file is damaged; using the defaults");
            let _ = std::fs::rename(&path, dir.join(format!("{FILE}.damaged")));
            Settings::default()
        }
    }
}

pub fn save(dir: &Path, settings: &Settings) -> Result<()> {
    let json = serde_json::to_vec_pretty(settings)?;
    exact_api::tokens::write_private_atomically(&path(dir), &json)
        .with_context(|| format!("cannot write {}", path(dir).display()))
}

/// Why these settings cannot be used, if they cannot.
pub fn validate(settings: &Settings) -> std::result::Result<(), String> {
    if !BATCH_SIZES.contains(&settings.batch_size) {
        return Err(format!(
            "The batch size must be between {} and {} records.",
            BATCH_SIZES.start(),
            BATCH_SIZES.end()
        ));
    }
    if settings.interval_minutes == Some(0) {
        return Err("The sync interval must be at least one minute.".into());
    }
    if settings.attachments_cap_mb == 0 {
        return Err("The attachment size limit must be at least 1 MB.".into());
    }
    if let Some(bad) = settings
        .description_languages
        .iter()
        .find(|code| !is_language_code(code))
    {
        return Err(format!(
            "{bad:?} is not a language code Exact knows (two letters, optionally a region: EN, FR-BE)."
        ));
    }
    Ok(())
}

/// `EN`, `nl`, `FR-BE`: two letters, optionally a dash and a two-letter region.
fn is_language_code(code: &str) -> bool {
    let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic());
    match code.split_once('-') {
        Some((language, region)) => two(language) && two(region),
        None => two(code),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn round_trip_and_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), Settings::default());
        let s = Settings {
            batch_size: 250,
            interval_minutes: None,
            divisions: vec![7, 8],
            ..Settings::default()
        };
        save(dir.path(), &s).unwrap();
        assert_eq!(load(dir.path()), s);

        std::fs::write(dir.path().join(FILE), b"{ not json").unwrap();
        assert_eq!(load(dir.path()), Settings::default());
        assert!(dir.path().join("settings.json.damaged").exists());
    }

    #[test]
    fn a_file_from_an_older_version_fills_in_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), br#"{"batch_size": 300}"#).unwrap();
        let s = load(dir.path());
        assert_eq!(s.batch_size, 300);
        assert!(s.incremental);
    }

    #[test]
    fn validation() {
        let mut s = Settings::default();
        assert!(validate(&s).is_ok());
        s.batch_size = 0;
        assert!(validate(&s).is_err());
        s.batch_size = 5001;
        assert!(validate(&s).is_err());
        s.batch_size = 100;
        s.description_languages = vec!["EN".into(), "fr-be".into()];
        assert!(validate(&s).is_ok());
        s.description_languages = vec!["EN;DROP".into()];
        assert!(validate(&s).is_err(), "only language codes");
        s.interval_minutes = Some(0);
        assert!(validate(&s).is_err());
    }
}
