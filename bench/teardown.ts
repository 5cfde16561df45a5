/** Stops what a run started, newest first, also when the run failed half-way. */
export class Teardown {
  private readonly steps: { name: string; stop: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, stop: () => Promise<unknown>): void {
    this.steps.push({ name, stop });
  }

  /** Runs every step once; a failing step is reported and the others still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step.stop();
        } catch (error) {
          console.error(`stopping ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    })();
    return this.running;
  }
}
