// Builds the static assets into build/static: our stylesheet compiled from GOV.UK Frontend's
// Sass with a system font stack (no GDS Transport, no crown), and GOV.UK Frontend's script.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(out, "redress"), { recursive: true });
mkdirSync(join(out, "govuk"), { recursive: true });

const css = sass.compile(join(root, "assets", "scss", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
});
writeFileSync(join(out, "redress", "app.css"), css.css);

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
cpSync(join(root, "assets", "js"), join(out, "redress"), { recursive: true });
cpSync(join(root, "assets", "images"), join(out, "redress"), { recursive: true });
console.log(`assets built into ${out}`);
