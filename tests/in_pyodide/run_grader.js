// Run the workbook grader inside Pyodide in Node (no browser): one process for a whole job.
//
//   node run_grader.js INDEX_DIR JOB_JSON RESULT_JSON
//
// INDEX_DIR is a staged Pyodide folder (runtime, pyodide-lock.json listing numpy and the workbook
// wheel); the job's packages (default: numpy, workbook) load by name from its lock, as in the site.
// grade.py (beside this file) judges every case of JOB_JSON; RESULT_JSON gets its verdicts plus the
// start-up timings. Pyodide's own chatter goes to stderr: only the result file carries data.
"use strict";

const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

async function main() {
  const [indexDir, jobPath, resultPath] = process.argv.slice(2);
  if (!resultPath) throw new Error("usage: node run_grader.js INDEX_DIR JOB_JSON RESULT_JSON");
  const start = performance.now();
  const { loadPyodide } = await import(pathToFileURL(path.join(indexDir, "pyodide.mjs")).href);
  const log = (msg) => process.stderr.write(`${msg}\n`);
  const pyodide = await loadPyodide({ indexURL: path.resolve(indexDir) + path.sep, stdout: log, stderr: log });
  const runtimeLoaded = performance.now();
  const jobText = fs.readFileSync(jobPath, "utf8");
  const packages = JSON.parse(jobText).packages || ["numpy", "workbook"];
  const failures = [];
  await pyodide.loadPackage(packages, { messageCallback: log, errorCallback: (m) => failures.push(m) });
  if (failures.length) throw new Error(`loadPackage failed:\n${failures.join("\n")}`);
  const packagesLoaded = performance.now();
  pyodide.runPython(fs.readFileSync(path.join(__dirname, "grade.py"), "utf8"), { filename: "grade.py" });
  const runJob = pyodide.globals.get("run_job");
  const result = JSON.parse(runJob(jobText));
  runJob.destroy();
  result.timings = {
    runtime: (runtimeLoaded - start) / 1000,
    packages: (packagesLoaded - runtimeLoaded) / 1000,
    grading: (performance.now() - packagesLoaded) / 1000,
  };
  result.pyodide = pyodide.version;
  fs.writeFileSync(resultPath, JSON.stringify(result));
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
