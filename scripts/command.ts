/**
 * The command-line end of an operator script: run its `main(argv)` and turn the outcome into the
 * process's exit code, printing an unexpected error as one line prefixed with the command's name
 * (a message, not a stack trace).
 */
export async function runCommand(command: string, main: (argv: readonly string[]) => Promise<number>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (error) {
    console.error(`${command}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
