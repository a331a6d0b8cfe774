//! The one atomic writer: every file sfgen writes (generated folders, converted trees, zips,
//! deltas, reports, configs) goes through here.
//!
//! - **Whole files.** A file is written into a private stage folder beside its target, synced, and
//!   renamed over the target: a kill leaves the old file or the new one, never half of one.
//! - **Only what may be replaced.** A target that exists must be a regular file (or, for a folder
//!   output, a folder); a device, FIFO, socket or link is never replaced (`--out /dev/null` is
//!   refused, not clobbered).
//! - **The user's folders stay the user's.** A folder that holds files sfgen did not write (a git
//!   checkout, an SFDX project) is never renamed or replaced: each generated file is written whole
//!   in place, folders are created with default permissions but existing ones keep theirs, and only
//!   what sfgen itself wrote before (listed in its record of that folder, content unchanged since)
//!   is removed when it is generated no more. The record lives in sfgen's state folder
//!   (`$SFGEN_STATE_DIR`, else `$XDG_STATE_HOME/sfgen` or `~/.local/state/sfgen`), never in the
//!   output: a Metadata API deploy of a folder zips every file in it, hidden ones included.
//! - **A folder sfgen owns** (new, empty, or holding only what its record lists) is replaced as a
//!   whole: the complete new folder is staged beside it and exchanged with it in one rename
//!   (`renameat2(RENAME_EXCHANGE)` on Linux), so a kill leaves the old folder or the new one. Never
//!   the working directory or one of its parents.
//!   In a folder holding the user's files, a kill leaves every file whole (its old or its new
//!   content, the user's untouched), but during the final renames some generated files may be
//!   new while others are still old; the record is written before those renames, so the next run
//!   completes the change.
//! - **One writer at a time.** An output folder is locked (`flock` on the folder) while it is
//!   written, and the new folder is locked before it is swapped in: a second run into the same
//!   folder waits for the first and then writes its own complete result, or, after
//!   [`LOCK_WAIT`], is refused with a message saying so.
//! - **The record is checked like an archive.** An entry of the record is used only if it is a
//!   relative path inside the folder (no `..`, not absolute) and the record belongs to this
//!   folder and to the user running sfgen; a file is removed through no link (each folder of its
//!   path is opened without following links), only while its content is still what sfgen wrote,
//!   and every removal is reported.
//! - **Nothing left behind.** Stage folders carry a marker file, locked by the run that owns the
//!   stage for as long as it lives; the next run in the same place removes stage folders of runs
//!   that were killed (only folders with sfgen's marker and no live owner, so neither a user's
//!   own `.sfgen-x` file nor a stage of a run still going is ever touched).

mod file;
mod folder;
mod record;
mod stage;
mod target;
mod tree;

pub use crate::zip_write as zip;
pub use file::{file, file_with, zip_file, ZipWritten};
pub use folder::{folder, owned_folder, FolderMode, FolderWritten};
pub use stage::{sweep, FolderLock, Stage, LOCK_WAIT};
pub use target::{check_file_target, check_names, check_new_tree, refuse_overwriting_inputs, PlannedFile};
pub use tree::{new_tree, TreeWriter};
