//! vf-graphql's `history` module: what a record's `meta` says about its revisions, worked out
//! from the revisions ovn kept.
//!
//! Every write of a revisioned record keeps a copy of the record as written (its revision).
//! Records written before ovn kept revisions, and records brought in by a bulk import, have
//! none until their next write: their current revision is their row, and their earlier
//! revisions are unknown. Revision numbers are contiguous (1 on creation, +1 per write), so
//! once a revision is kept every later one is kept too.

/// What `RecordMeta` says of a record read at one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta {
    /// The revision the record was read at (`retrievedRevision`).
    pub retrieved: i64,
    /// The record's newest revision (`latestRevision`).
    pub latest: i64,
    /// The revision before `retrieved`, when it can be read (`previousRevision`); `None` on a
    /// first revision, and when the one before was never kept.
    pub previous: Option<i64>,
    /// How many older revisions there are (`previousRevisionsCount`); `None` when some of them
    /// were never kept, so that what `revision(revisionId)` can answer is not all there was.
    pub previous_count: Option<i64>,
    /// How many newer revisions there are (`futureRevisionsCount`).
    pub future_count: i64,
}

/// The meta of a record read at revision `retrieved`, given the numbers of the revisions kept
/// for it (in any order; the retrieved one may or may not be among them). The latest revision
/// is the newest of those and `retrieved` (a record's current row is always its latest
/// revision, kept or not).
pub fn record_meta(kept: &[i64], retrieved: i64) -> RecordMeta {
    let latest = kept.iter().copied().chain([retrieved]).max().unwrap_or(retrieved);
    let older_kept = kept.iter().filter(|n| **n < retrieved && **n >= 1).collect::<std::collections::BTreeSet<_>>();
    // Revisions run 1..retrieved-1 before this one: all of them kept, or the count is unknown.
    let all_older_kept = i64::try_from(older_kept.len()).is_ok_and(|n| n == retrieved - 1);
    RecordMeta {
        retrieved,
        latest,
        previous: older_kept.contains(&(retrieved - 1)).then_some(retrieved - 1),
        previous_count: all_older_kept.then_some(retrieved - 1),
        future_count: latest - retrieved,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_record_updated_twice_counts_two_before_its_latest_and_two_after_its_first() {
        let kept = [1, 2, 3];
        assert_eq!(
            record_meta(&kept, 3),
            RecordMeta { retrieved: 3, latest: 3, previous: Some(2), previous_count: Some(2), future_count: 0 }
        );
        assert_eq!(
            record_meta(&kept, 1),
            RecordMeta { retrieved: 1, latest: 3, previous: None, previous_count: Some(0), future_count: 2 }
        );
        assert_eq!(record_meta(&kept, 2).previous, Some(1));
    }

    #[test]
    fn a_record_written_before_history_has_unknown_earlier_revisions() {
        // At revision 3 when revisions began to be kept; never written since.
        assert_eq!(
            record_meta(&[], 3),
            RecordMeta { retrieved: 3, latest: 3, previous: None, previous_count: None, future_count: 0 }
        );
        // Then updated once: revision 4 is kept, 1 to 3 are not.
        assert_eq!(
            record_meta(&[4], 4),
            RecordMeta { retrieved: 4, latest: 4, previous: None, previous_count: None, future_count: 0 }
        );
    }

    #[test]
    fn a_new_record_has_no_previous_revision() {
        assert_eq!(
            record_meta(&[1], 1),
            RecordMeta { retrieved: 1, latest: 1, previous: None, previous_count: Some(0), future_count: 0 }
        );
        // Imported at revision 1, never written since: nothing older to miss.
        assert_eq!(record_meta(&[], 1).previous_count, Some(0));
    }

    proptest! {
        /// Kept revisions are a contiguous run ending at the latest; reading any of them, the
        /// counts add up to the run's length when it starts at 1, and `previous` is readable.
        #[test]
        fn counts_add_up_over_a_contiguous_run(first in 1i64..20, len in 1i64..20, pick in 0i64..20) {
            let kept: Vec<i64> = (first..first + len).collect();
            let retrieved = first + pick % len;
            let meta = record_meta(&kept, retrieved);
            prop_assert_eq!(meta.latest, first + len - 1);
            prop_assert_eq!(meta.future_count, meta.latest - retrieved);
            if let Some(previous) = meta.previous {
                prop_assert!(kept.contains(&previous));
                prop_assert_eq!(previous, retrieved - 1);
            }
            if first == 1 {
                prop_assert_eq!(meta.previous_count, Some(retrieved - 1));
                prop_assert_eq!(meta.previous_count.unwrap_or(0) + 1 + meta.future_count, len);
            } else {
                prop_assert_eq!(meta.previous_count, None);
            }
        }
    }
}
