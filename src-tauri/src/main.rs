fn main() -> std::process::ExitCode {
    exact_offline::cli::main()
}
