//! [`Tee`]: several sinks fed from one scan (`--format X --html FILE`), so
//! an extra output never costs another pass over the data.

use super::Sink;
use crate::app::{FileResult, Summary};
use std::io;

/// Feeds every result to each sink in order. Every sink sees every event
/// even when an earlier one failed; the first error is returned.
pub struct Tee {
    sinks: Vec<Box<dyn Sink>>,
}

impl Tee {
    pub fn new(sinks: Vec<Box<dyn Sink>>) -> Tee {
        Tee { sinks }
    }
}

impl Sink for Tee {
    fn file(&mut self, r: &FileResult) -> io::Result<()> {
        let mut first = Ok(());
        for s in &mut self.sinks {
            let res = s.file(r);
            if first.is_ok() {
                first = res;
            }
        }
        first
    }
    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let mut first = Ok(());
        for s in &mut self.sinks {
            let res = s.finish(summary);
            if first.is_ok() {
                first = res;
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Probe(Arc<Mutex<Vec<String>>>, bool);
    impl Sink for Probe {
        fn file(&mut self, r: &FileResult) -> io::Result<()> {
            self.0.lock().unwrap().push(r.path.clone());
            if self.1 {
                Err(io::Error::other("broken"))
            } else {
                Ok(())
            }
        }
        fn finish(&mut self, _: &Summary) -> io::Result<()> {
            self.0.lock().unwrap().push("finish".into());
            Ok(())
        }
    }

    #[test]
    fn every_sink_sees_every_event_and_the_first_error_wins() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut tee = Tee::new(vec![
            Box::new(Probe(log.clone(), true)),
            Box::new(Probe(log.clone(), false)),
        ]);
        let r = FileResult {
            path: "a".into(),
            status: crate::app::FileStatus::Scanned,
            bytes: 0,
            findings: Vec::new(),
        };
        assert!(tee.file(&r).is_err());
        assert!(tee.finish(&Summary::default()).is_ok());
        assert_eq!(*log.lock().unwrap(), ["a", "a", "finish", "finish"]);
    }
}
