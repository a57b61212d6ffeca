//! Relay pagination (`first/after/last/before`) over any table keyed by a time-ordered id.
//! The cursor is the record id: ids are UUID v7, so id order is creation order and a cursor
//! stays valid however many records are added.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use crate::error::{PersistenceError, Result};
use ovn_domain::DomainError;

/// Largest page a client may ask for; larger requests are clamped.
pub const MAX_PAGE_SIZE: u64 = 100;
/// Page size when the client names none.
pub const DEFAULT_PAGE_SIZE: u64 = 50;

/// What the client asked for.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Forward page size.
    pub first: Option<i32>,
    /// Forward cursor.
    pub after: Option<String>,
    /// Backward page size.
    pub last: Option<i32>,
    /// Backward cursor.
    pub before: Option<String>,
    /// Whether `pageInfo.totalCount` was selected (it costs a `COUNT(*)`).
    pub want_total: bool,
}

/// One page of records.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The records with their cursors, in id order.
    pub items: Vec<(String, T)>,
    /// More after the last item.
    pub has_next_page: bool,
    /// More before the first item.
    pub has_previous_page: bool,
    /// Total matching records, when asked for.
    pub total_count: Option<u64>,
    /// The page size used.
    pub page_limit: u64,
}

impl<T> Page<T> {
    /// Converts every item, keeping cursors and page info.
    pub fn try_map<U>(self, mut f: impl FnMut(T) -> Result<U>) -> Result<Page<U>> {
        let items = self.items.into_iter().map(|(c, t)| Ok((c, f(t)?))).collect::<Result<Vec<_>>>()?;
        Ok(Page {
            items,
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            total_count: self.total_count,
            page_limit: self.page_limit,
        })
    }
}

fn size(value: Option<i32>, field: &str) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if n < 0 => Err(PersistenceError::Domain(DomainError::invalid(field, "must not be negative"))),
        Some(n) => Ok(Some(u64::try_from(n).unwrap_or(0).min(MAX_PAGE_SIZE))),
    }
}

/// Runs `select` as one page ordered by `id`.
pub async fn paginate<E, C>(conn: &C, select: Select<E>, id: E::Column, request: &PageRequest) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
    E::Column: ColumnTrait,
{
    paginate_as(conn, select, id, request, |row: &E::Model| row_id::<E>(row, id)).await
}

/// [`paginate`], each row read as `M` (a model with more columns than the table's, such as
/// an aggregate the select adds); `cursor` gives a row's id.
pub async fn paginate_as<E, M, C>(
    conn: &C,
    select: Select<E>,
    id: E::Column,
    request: &PageRequest,
    cursor: impl Fn(&M) -> Option<String>,
) -> Result<Page<M>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    M: FromQueryResult + Send + Sync,
    C: ConnectionTrait,
    E::Column: ColumnTrait,
{
    let first = size(request.first, "first")?;
    let last = size(request.last, "last")?;
    let total_count = if request.want_total { Some(select.clone().count(conn).await?) } else { None };
    let mut query = select;
    if let Some(after) = &request.after {
        query = query.filter(id.gt(after.clone()));
    }
    if let Some(before) = &request.before {
        query = query.filter(id.lt(before.clone()));
    }
    let backward = last.is_some() && first.is_none();
    let limit = if backward { last.unwrap_or(DEFAULT_PAGE_SIZE) } else { first.unwrap_or(DEFAULT_PAGE_SIZE) };
    let rows = if backward {
        query.order_by_desc(id).limit(limit + 1).into_model::<M>().all(conn).await?
    } else {
        query.order_by_asc(id).limit(limit + 1).into_model::<M>().all(conn).await?
    };
    let more = rows.len() as u64 > limit;
    let mut rows: Vec<M> = rows.into_iter().take(usize::try_from(limit).unwrap_or(usize::MAX)).collect();
    if backward {
        rows.reverse();
    }
    let items = rows
        .into_iter()
        .map(|row| {
            let cursor = match cursor(&row) {
                Some(cursor) => cursor,
                None => return Err(PersistenceError::Corrupt("row without a text id".into())),
            };
            Ok((cursor, row))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        has_next_page: if backward { request.before.is_some() } else { more },
        has_previous_page: if backward { more } else { request.after.is_some() },
        total_count,
        page_limit: limit,
    })
}

fn row_id<E: EntityTrait>(row: &E::Model, id: E::Column) -> Option<String> {
    use sea_orm::ModelTrait;
    match row.get(id) {
        sea_orm::Value::String(Some(s)) => Some(s),
        _ => None,
    }
}

/// Pages an in-memory list of ids already sorted in id order (the same rules as
/// [`paginate`]; for short derived lists such as a process's agents).
pub fn paginate_ids<T: ToString + Copy>(ids: Vec<T>, request: &PageRequest) -> Result<Page<T>> {
    let first = size(request.first, "first")?;
    let last = size(request.last, "last")?;
    let window: Vec<(String, T)> = ids
        .into_iter()
        .map(|id| (id.to_string(), id))
        .filter(|(key, _)| request.after.as_ref().is_none_or(|after| key > after))
        .filter(|(key, _)| request.before.as_ref().is_none_or(|before| key < before))
        .collect();
    let backward = last.is_some() && first.is_none();
    let limit = if backward { last.unwrap_or(DEFAULT_PAGE_SIZE) } else { first.unwrap_or(DEFAULT_PAGE_SIZE) };
    let limit_items = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = window.len() > limit_items;
    let items: Vec<(String, T)> = if backward {
        let skip = window.len().saturating_sub(limit_items);
        window.into_iter().skip(skip).collect()
    } else {
        window.into_iter().take(limit_items).collect()
    };
    Ok(Page {
        items,
        has_next_page: if backward { request.before.is_some() } else { more },
        has_previous_page: if backward { more } else { request.after.is_some() },
        total_count: None,
        page_limit: limit,
    })
}
