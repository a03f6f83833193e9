//! Progress events as the lines a command prints.

use std::fmt;

use super::{Progress, Session};

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sessions = |f: &mut fmt::Formatter<'_>, list: &[Session]| -> fmt::Result {
            for s in list {
                write!(f, "\n    blocked by {s}")?;
            }
            Ok(())
        };
        match self {
            Progress::CreatedDatabase { database } => write!(f, "created database `{database}`"),
            Progress::WaitingForLock => write!(f, "waiting for another migrator to finish"),
            Progress::LockHeldBy(holders) => {
                write!(f, "the migration lock is held by:")?;
                for s in holders {
                    write!(f, "\n    {s}")?;
                }
                Ok(())
            }
            Progress::LockTimeout {
                file,
                statement,
                attempt,
                retry_in,
                blocked_by,
            } => {
                write!(
                    f,
                    "{file}: statement {statement} timed out waiting for a lock (attempt \
                     {attempt}); trying again in {:.1} s",
                    retry_in.as_secs_f64()
                )?;
                sessions(f, blocked_by)
            }
            Progress::Running(r) => {
                write!(
                    f,
                    "{}: running for {:.0} s",
                    r.file,
                    r.elapsed.as_secs_f64()
                )?;
                if let Some(build) = &r.index_build {
                    write!(f, ", index build {build}")?;
                }
                sessions(f, &r.blocked_by)
            }
            Progress::DroppedInvalidIndex { file, index } => write!(
                f,
                "{file}: dropped the invalid index `{index}` left by an earlier failed build"
            ),
            Progress::Applied(applied) => applied.fmt(f),
            Progress::Interrupted(interrupted) => interrupted.fmt(f),
        }
    }
}

impl fmt::Display for super::Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "interrupted: the running statement was cancelled on the server and the migration \
             lock released"
        )?;
        if self.completed.is_empty() {
            write!(f, "\n    nothing was completed before the interruption")?;
        } else {
            write!(
                f,
                "\n    completed before it: {}",
                self.completed.join(", ")
            )?;
        }
        match &self.stopped_in {
            None => Ok(()),
            Some(at) if at.transactional => write!(
                f,
                "\n    `{}` was rolled back: nothing of it is applied",
                at.file
            ),
            Some(at) => write!(
                f,
                "\n    `{}` runs outside a transaction and stopped in statement {}: the \
                 statements before it stay applied; it is not recorded, and the next run \
                 starts it again",
                at.file, at.statement
            ),
        }
    }
}
