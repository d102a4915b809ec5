// Build-time bytecode for the site (see bytecode.py beside this file):
//
//   node bytecode.mjs JOB_JSON
//
// JOB_JSON: {"pyodide": folder of pyodide.mjs, "out": folder, "stdlib": its python_stdlib.zip,
// "wheels": [paths], "imports": [module names a kernel imports as it starts]}. Writes each archive
// that holds a start-up module, compiled, under its own name into "out", and "out"/report.json
// ({name: modules compiled}).
// Pyodide's chatter goes to stderr.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { loadPyodide } = await import(pathToFileURL(path.join(job.pyodide, "pyodide.mjs")).href);
const log = (msg) => process.stderr.write(`${msg}\n`);
// no column tables in the bytecode: a fifth smaller; they only place the ^^^ under a traceback's
// source line, which sourceless modules have none of
const pyodide = await loadPyodide({
  indexURL: path.resolve(job.pyodide) + path.sep, stdout: log, stderr: log,
  env: { PYTHONNODEBUGRANGES: "1" },
});
pyodide.runPython(fs.readFileSync(new URL("bytecode.py", import.meta.url), "utf8"), { filename: "bytecode.py" });
const site = path.posix.normalize(pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')"));
const stdlib = pyodide.runPython("import sys; [p for p in sys.path if p.endswith('.zip')][0]");
for (const wheel of job.wheels) {
  pyodide.unpackArchive(new Uint8Array(fs.readFileSync(wheel)), "wheel", { extractDir: site });
}
const started = pyodide.globals.get("started_modules")(pyodide.toPy(job.imports));
const compileArchive = pyodide.globals.get("compile_archive");
const report = {};
for (const [file, prefix] of [[job.stdlib, `${stdlib}/`], ...job.wheels.map((w) => [w, `${site}/`])]) {
  const [data, count] = compileArchive(new Uint8Array(fs.readFileSync(file)), prefix, started).toJs();
  if (count) fs.writeFileSync(path.join(job.out, path.basename(file)), data);
  report[path.basename(file)] = count;
}
fs.writeFileSync(path.join(job.out, "report.json"), JSON.stringify(report));
