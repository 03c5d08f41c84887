//! The parameters of the tax id calls: `type` and `value` on create (checked exactly as
//! `tax_id_data` on customer create), the shared pagination on list, and `expand[]`,
//! whose one expandable field is `customer`.

use super::model::TaxIdData;
use crate::wire::error::ApiError;
use crate::wire::pagination::{Cursor, Limit};
use crate::wire::params::{expand_paths, Params};

/// Whether `expand[]` asked for the tax id's `customer`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpandCustomer(pub bool);

impl ExpandCustomer {
    /// Reads `expand[]`: `customer` on one tax id, `data.customer` on a list.
    pub fn parse(p: &mut Params, list: bool) -> Result<Self, ApiError> {
        let accept: fn(&str) -> bool = if list {
            |path| path == "data.customer"
        } else {
            |path| path == "customer"
        };
        expand_paths(p, accept).map(ExpandCustomer)
    }
}

/// `POST /v1/customers/{customer}/tax_ids`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTaxId {
    pub data: TaxIdData,
    pub expand: ExpandCustomer,
}

impl CreateTaxId {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let expand = ExpandCustomer::parse(p, false)?;
        let kind = p.required_string("type", 64)?;
        let value = p.required_string("value", 256)?;
        let missing = |param: &str| ApiError::MissingParameter {
            param: param.to_owned(),
        };
        let kind = kind.ok_or_else(|| missing("type"))?;
        let value = value.ok_or_else(|| missing("value"))?;
        Ok(CreateTaxId {
            data: TaxIdData::parse("", kind, value)?,
            expand,
        })
    }
}

/// `GET /v1/customers/{customer}/tax_ids`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListTaxIds {
    pub limit: Limit,
    pub cursor: Cursor,
    pub expand: ExpandCustomer,
}

impl ListTaxIds {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        Ok(ListTaxIds {
            limit: Limit::parse(p)?,
            cursor: Cursor::parse(p)?,
            expand: ExpandCustomer::parse(p, true)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn create(body: &str) -> Result<CreateTaxId, ApiError> {
        let mut p = Params::new(decode_form(body.as_bytes()).unwrap());
        let parsed = CreateTaxId::parse(&mut p)?;
        p.finish()?;
        Ok(parsed)
    }

    #[test]
    fn create_takes_type_and_value_checked_like_tax_id_data() {
        let ok = create("type=eu_vat&value=DE123456789&expand[]=customer").unwrap();
        assert_eq!(ok.data.kind, "eu_vat");
        assert!(ok.expand.0);
        let bad = create("type=eu_vat&value=DE1").unwrap_err();
        assert_eq!(bad.code(), Some("tax_id_invalid"));
        assert_eq!(bad.param(), Some("value"));
        assert_eq!(bad.to_string(), "Invalid value for eu_vat.");
        assert_eq!(
            create("type=xx_tin&value=1").unwrap_err().param(),
            Some("type")
        );
        assert_eq!(create("value=1").unwrap_err().param(), Some("type"));
        assert_eq!(create("type=us_ein").unwrap_err().param(), Some("value"));
        assert_eq!(
            create("type=unknown&value=1").unwrap_err().param(),
            Some("type")
        );
        assert_eq!(
            create("type=us_ein&value=12-3456789&colour=red")
                .unwrap_err()
                .param(),
            Some("colour")
        );
        assert_eq!(
            create("type=us_ein&value=12-3456789&expand[]=owner")
                .unwrap_err()
                .param(),
            Some("expand")
        );
    }

    #[test]
    fn list_takes_the_shared_pagination_and_data_customer() {
        let mut p = Params::new(
            decode_form(b"limit=2&starting_after=txi_1&expand[]=data.customer").unwrap(),
        );
        let list = ListTaxIds::parse(&mut p).unwrap();
        assert_eq!(list.limit.get(), 2);
        assert_eq!(list.cursor, Cursor::StartingAfter("txi_1".into()));
        assert!(list.expand.0);
        let mut p = Params::new(decode_form(b"limit=0").unwrap());
        assert_eq!(
            ListTaxIds::parse(&mut p).unwrap_err().param(),
            Some("limit")
        );
    }
}
