//! Rules files: loading Falco rules files (and okta-stream's extensions) into compiled rules.
//!
//! Data flow, per file in the order given (Falco's `load_rules_files`, reference §8):
//!
//! 1. `yaml`: the text is parsed into a tree whose nodes know their line and column;
//! 2. `reader`: each top-level item is validated and decoded (Falco's keys and messages);
//! 3. `collector`: items are applied in order to one collection shared by all files (define,
//!    append, override, standalone `enabled`);
//! 4. `compiler`: after each file everything collected so far is compiled (lists expanded
//!    textually, macros parsed and substituted with Falco's visibility rules, exceptions turned
//!    into condition text, outputs and conditions compiled against the field registry).
//!
//! Every problem is a [`Diagnostic`] with file, line and column. A file with an error stops the
//! load (later files are not read, as in Falco) and the load returns [`Error::Load`] with all
//! diagnostics: unlike Falco, which stops at the first, every error of the file is reported (an
//! item that does not read does not keep the others from being compiled, and a rule whose output
//! is wrong has its condition checked too); a successful load returns the rules and the warnings. Nothing is ever half-loaded.

pub(crate) mod collector;
pub(crate) mod compiler;
pub(crate) mod exceptions;
pub(crate) mod macros;
pub(crate) mod reader;
pub(crate) mod yaml;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::compile::Predicate;
use crate::error::{Diagnostic, Diagnostics, Error, Pos, Severity};
use crate::output::OutputTemplate;
use crate::priority::Priority;
use crate::state::Threshold;
use yaml::Mark;

/// The rules engine version okta-rules reports to `required_engine_version` (that of Falco 0.44,
/// whose rules language it implements).
pub const ENGINE_VERSION: (u32, u32, u32) = (0, 62, 0);

/// Options of a load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Accept okta-stream's extension keys (`threshold`). When false they are unknown keys
    /// (warned about and ignored), as Falco treats them.
    pub extensions: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { extensions: true }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule name.
    pub name: String,
    /// Its description.
    pub desc: String,
    /// Its priority.
    pub priority: Priority,
    /// Its source (`okta`).
    pub source: String,
    /// Its tags, sorted.
    pub tags: Vec<String>,
    /// `enabled:` as the files left it (before priority filtering and selections).
    pub enabled: bool,
    /// The final condition text (exceptions appended, before list expansion).
    pub condition: String,
    /// The compiled output template.
    pub output: OutputTemplate,
    /// The compiled condition.
    pub predicate: Predicate,
    /// The threshold extension, if any.
    pub threshold: Option<Threshold>,
    /// The file of the rule's definition.
    pub file: Arc<str>,
    /// Where its definition starts.
    pub pos: Pos,
}

/// The result of a successful load.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The compiled `okta` rules, in rule order (order of first definition).
    pub rules: Vec<Rule>,
    /// Rules that were skipped (other sources, or unknown fields with `skip-if-unknown-filter`).
    pub skipped: Vec<String>,
    /// Warnings.
    pub warnings: Vec<Diagnostic>,
}

/// A diagnostic inside one file, before the file name and source line are attached.
#[derive(Debug, Clone)]
pub(crate) struct Diag {
    pub severity: Severity,
    pub mark: Mark,
    pub len: u32,
    pub message: String,
    pub item: Option<String>,
    /// The file, when it is not the file being loaded (errors found while compiling).
    pub file: Option<usize>,
}

impl Diag {
    pub fn error(mark: Mark, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Error,
            mark,
            len: 1,
            message: message.into(),
            item: None,
            file: None,
        }
    }

    pub fn warning(mark: Mark, message: impl Into<String>) -> Diag {
        Diag {
            severity: Severity::Warning,
            mark,
            len: 1,
            message: message.into(),
            item: None,
            file: None,
        }
    }

    /// Names the item the diagnostic concerns (`rule 'X'`), unless already named.
    pub fn item(mut self, kind: &str, name: &str) -> Diag {
        if self.item.is_none() {
            self.item = Some(format!("{kind} '{name}'"));
        }
        self
    }

    pub fn in_file(mut self, file: usize) -> Diag {
        self.file = Some(file);
        self
    }

    pub fn with_len(mut self, len: usize) -> Diag {
        self.len = u32::try_from(len.max(1)).unwrap_or(u32::MAX);
        self
    }
}

/// One file of a load: its name and text.
#[derive(Debug)]
pub(crate) struct FileInfo {
    pub name: Arc<str>,
    pub text: String,
}

/// Loads rules files one after the other into one collection (Falco's multi-file semantics).
///
/// ```
/// use okta_rules::load::{Loader, LoadOptions};
/// let mut loader = Loader::new(LoadOptions::default());
/// loader.add_str("a.yaml", "- list: admins\n  items: [alice]\n");
/// loader.add_str("b.yaml", "- rule: Admin sign-in\n  desc: d\n  condition: okta.evt.type = user.session.start and okta.actor.name in (admins)\n  output: admin %okta.actor.name\n  priority: NOTICE\n  source: okta\n");
/// let loaded = loader.finish().unwrap();
/// assert_eq!(loaded.rules[0].name, "Admin sign-in");
/// ```
#[derive(Debug)]
pub struct Loader {
    options: LoadOptions,
    files: Vec<FileInfo>,
    collector: collector::Collector,
    diags: Vec<(usize, Diag)>,
    compiled: Option<compiler::Output>,
    failed: bool,
}

impl Loader {
    /// An empty loader.
    pub fn new(options: LoadOptions) -> Loader {
        Loader {
            options,
            files: Vec::new(),
            collector: collector::Collector::default(),
            diags: Vec::new(),
            compiled: None,
            failed: false,
        }
    }

    /// Whether an error was found (further files are then ignored).
    pub fn has_errors(&self) -> bool {
        self.failed
    }

    /// Adds one file's text; `name` is used in diagnostics. Returns false when it had errors.
    pub fn add_str(&mut self, name: &str, text: &str) -> bool {
        if self.failed {
            return false;
        }
        let file = self.files.len();
        self.files.push(FileInfo {
            name: name.into(),
            text: text.to_string(),
        });
        let mut diags = Vec::new();
        let source = yaml::SourceText::new(text);
        match yaml::parse(&source) {
            Err(e) => diags.push(Diag::error(
                e.mark,
                format!("YAML syntax error: {}", e.message),
            )),
            Ok(docs) => {
                let items = reader::read_file(&docs, self.options.extensions, &mut diags);
                for item in items {
                    self.collector.apply(item, file, &mut diags);
                }
            }
        }
        let file_failed = diags.iter().any(|d| d.severity == Severity::Error);
        self.diags.extend(diags.into_iter().map(|d| (file, d)));
        // Compile everything collected so far (Falco compiles after each file).
        let out = compiler::compile(&self.collector, &self.files);
        if file_failed {
            // The load fails already; the compile errors of the items that did read are reported
            // too, so that one run shows every error (its warnings would be guesses: an item
            // that did not read may have used a list or macro).
            self.diags.extend(
                out.diags
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .map(|d| (file, d)),
            );
            self.failed = true;
            return false;
        }
        let failed = out.diags.iter().any(|d| d.severity == Severity::Error);
        self.diags
            .extend(out.diags.iter().cloned().map(|d| (file, d)));
        self.compiled = Some(out);
        if failed {
            self.failed = true;
        }
        !failed
    }

    /// Adds one file (or every file of a directory, in sorted order, as Falco does).
    pub fn add_path(&mut self, path: &Path) -> Result<bool, Error> {
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            let mut ok = true;
            for p in entries {
                ok &= self.add_path(&p)?;
            }
            return Ok(ok);
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        Ok(self.add_str(&path.display().to_string(), &text))
    }

    /// All diagnostics so far, with file names and source lines, in the order found (duplicates,
    /// such as warnings repeated by the compilation after each file, removed).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (file, d) in &self.diags {
            let f = d.file.unwrap_or(*file);
            let Some(info) = self.files.get(f) else {
                continue;
            };
            let diag = Diagnostic {
                severity: d.severity,
                file: info.name.clone(),
                pos: (d.mark.pos.line > 0).then_some(d.mark.pos),
                len: d.len,
                message: d.message.clone(),
                item: d.item.clone(),
                source_line: yaml::SourceText::new(&info.text)
                    .line(d.mark.pos.line)
                    .map(str::to_string),
            };
            let key = (
                diag.file.clone(),
                diag.pos,
                diag.message.clone(),
                diag.severity,
            );
            if seen.insert(key) {
                out.push((f, diag));
            }
        }
        // In file order, then by position, as a compiler prints them.
        out.sort_by_key(|(f, d)| (*f, d.pos.map_or((0, 0), |p| (p.line, p.col))));
        out.into_iter().map(|(_, d)| d).collect()
    }

    /// Finishes the load: the compiled rules and the warnings, or every diagnostic on error.
    pub fn finish(self) -> Result<Loaded, Error> {
        let mut diagnostics = self.diagnostics();
        let mut failed = self.failed;
        {
            // Checks made after all files (Falco: plugin requirements; engine version per item),
            // also when something failed, so that one run reports everything (they only look
            // at items that were read).
            for d in compiler::check_requirements(&self.collector) {
                let info = &self.files[d.file.unwrap_or(0)];
                failed |= d.severity == Severity::Error;
                diagnostics.push(Diagnostic {
                    severity: d.severity,
                    file: info.name.clone(),
                    pos: Some(d.mark.pos),
                    len: d.len,
                    message: d.message,
                    item: d.item,
                    source_line: yaml::SourceText::new(&info.text)
                        .line(d.mark.pos.line)
                        .map(str::to_string),
                });
            }
        }
        if failed {
            return Err(Error::Load {
                diagnostics: Diagnostics(diagnostics),
            });
        }
        let out = self.compiled.unwrap_or_default();
        Ok(Loaded {
            rules: out.rules,
            skipped: out.skipped,
            warnings: diagnostics,
        })
    }
}

/// Loads one rules text.
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Result<Loaded, Error> {
    let mut l = Loader::new(options.clone());
    l.add_str(name, text);
    l.finish()
}

/// Loads rules files (directories expand to their files in sorted order) in the order given.
pub fn load_files<P: AsRef<Path>>(paths: &[P], options: &LoadOptions) -> Result<Loaded, Error> {
    let mut l = Loader::new(options.clone());
    for p in paths {
        if !l.add_path(p.as_ref())? {
            break;
        }
    }
    l.finish()
}
