/** Installs the pinned external tools into `.tools/` (reused when already current). */
import { installTools, toolPath, TOOL_PACKAGES, type ToolName } from '../src/tools/index';

await installTools((line) => console.log(`tools: ${line}`));
for (const name of Object.keys(TOOL_PACKAGES) as ToolName[]) {
  console.log(`tools: ${name} -> ${await toolPath(name)}`);
}
