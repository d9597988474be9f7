// Config files are checked in as templates with `{{NAME}}` placeholders (a syntax that neither
// log4j2's `${...}` lookups nor YAML use) and rendered into `.services/` with absolute paths.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { template } from "./layout.ts";

export type TemplateVars = Record<string, string | number>;

export function renderTemplate(text: string, vars: TemplateVars, source: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = vars[name];
    // A typo in a template must fail loudly, not start a server with a literal "{{X}}" path.
    if (value === undefined) throw new Error(`${source}: no value for placeholder {{${name}}}`);
    return String(value);
  });
}

/** Renders `scripts/services/<templateName>` to `target`, creating its folder. */
export async function writeFromTemplate(
  templateName: string,
  target: string,
  vars: TemplateVars,
): Promise<void> {
  const text = await readFile(template(templateName), "utf8");
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, renderTemplate(text, vars, templateName));
}
