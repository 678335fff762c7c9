//! The `exact-offline` program: the window, or a subcommand of the command line.

// On Windows a release build is a GUI program, so starting it from the Start menu opens no console
// window beside the app; a subcommand started from a terminal attaches to that terminal to print.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    attach_parent_console();
    exact_offline::cli::main()
}

/// Windows: writes standard output and error to the console of the program that started this one
/// (cmd, PowerShell, Windows Terminal), if there is one. A GUI program has none of its own.
#[cfg(windows)]
#[allow(unsafe_code)]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id and reads or writes no memory of ours. It fails
    // harmlessly when there is no parent console (started from Explorer) or one is attached.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}

/// Elsewhere the program inherits its terminal, if it has one.
#[cfg(not(windows))]
fn attach_parent_console() {}
