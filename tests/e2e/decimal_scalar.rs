//! The `Decimal` scalar over HTTP: strings only (a JSON number has already been through a
//! float somewhere), returned in canonical form, exact to the last digit.

use crate::common::{assert_refused, data, spawn_app};
use anyhow::Result;
use serde_json::{Value, json};

const CREATE: &str = "mutation($r: ResourceSpecificationCreateParams!) {
  createResourceSpecification(resourceSpecification: $r) { resourceSpecification { id defaultValuePerUnit { hasNumericalValue } } } }";

#[tokio::test]
async fn json_numbers_are_refused_as_bad_input() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;

    // An inline literal number.
    let inline = app
        .graphql_as(
            &token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"Tin\", defaultValuePerUnit: { hasNumericalValue: 12.5 } }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?;
    assert_refused(&inline, "createResourceSpecification", "BAD_INPUT")?;
    let integer = app
        .graphql_as(
            &token,
            "mutation { createResourceSpecification(resourceSpecification: { name: \"Tin\", defaultValuePerUnit: { hasNumericalValue: 12 } }) { resourceSpecification { id } } }",
            Value::Null,
        )
        .await?;
    assert_refused(&integer, "createResourceSpecification", "BAD_INPUT")?;

    // A JSON number in the variables, including one a float cannot hold.
    for number in [json!(12.5), serde_json::from_str::<Value>("12345678901234567.89")?, json!(3)] {
        let response = app
            .graphql_as(
                &token,
                CREATE,
                json!({ "r": { "name": "Tin", "defaultValuePerUnit": { "hasNumericalValue": number } } }),
            )
            .await?;
        assert_refused(&response, "createResourceSpecification", "BAD_INPUT")?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Decimal"), "the message should name the Decimal type: {message}");
        assert!(message.contains("must be strings"), "the message should say how to send it: {message}");
    }
    assert_eq!(app.total("resourceSpecifications").await?, 0, "a refused decimal wrote a record");
    Ok(())
}

#[tokio::test]
async fn strings_are_accepted_exactly_and_returned_canonical() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    let cases = [
        ("12345678901234567.89", "12345678901234567.89"),
        ("12.50", "12.5"),
        ("10.500", "10.5"),
        ("-4.5", "-4.5"),
        ("-0.5", "-0.5"),
        ("0.5", "0.5"),
        ("0", "0"),
        ("0.000", "0"),
        ("100", "100"),
        ("0.000000000000000000000000001", "0.000000000000000000000000001"),
        ("7922816251426433759354395033.5", "7922816251426433759354395033.5"),
    ];
    for (sent, expected) in cases {
        let response = app
            .graphql_as(
                &token,
                CREATE,
                json!({ "r": { "name": "Tin", "defaultValuePerUnit": { "hasNumericalValue": sent } } }),
            )
            .await?;
        let created = &data(&response)?["createResourceSpecification"]["resourceSpecification"];
        assert_eq!(created["defaultValuePerUnit"]["hasNumericalValue"], expected, "sent {sent}");
        let read = app
            .graphql(
                "query($id: ID!) { resourceSpecification(id: $id) { defaultValuePerUnit { hasNumericalValue } } }",
                json!({ "id": created["id"] }),
            )
            .await?;
        assert_eq!(
            data(&read)?["resourceSpecification"]["defaultValuePerUnit"]["hasNumericalValue"],
            expected,
            "read back {sent}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn malformed_decimal_strings_are_bad_input() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    // Exponents, blanks, two points, words, more than 28 significant digits.
    for sent in [
        "1e3",
        "",
        " ",
        "1.2.3",
        "twelve",
        "0x10",
        "NaN",
        "1.00000000000000000000000000001",
        "99999999999999999999999999999",
    ] {
        let response = app
            .graphql_as(
                &token,
                CREATE,
                json!({ "r": { "name": "Tin", "defaultValuePerUnit": { "hasNumericalValue": sent } } }),
            )
            .await?;
        assert_refused(&response, "createResourceSpecification", "BAD_INPUT")
            .map_err(|e| e.context(format!("sent {sent:?}")))?;
    }
    assert_eq!(app.total("resourceSpecifications").await?, 0);
    Ok(())
}

#[tokio::test]
async fn only_the_canonical_decimal_syntax_is_accepted() -> Result<()> {
    let app = spawn_app().await?;
    let (_, token) = app.person_with_token("Alice").await?;
    // One syntax: an optional `-`, digits without a superfluous leading zero, optionally `.`
    // and one or more digits. Each of these is a number to some parser, and refused here.
    for sent in [
        " 1",
        "1 ",
        "\t1",
        "1\n",
        "+7",
        "-0",
        "-0.0",
        "-0.00",
        "-00",
        "01",
        "00",
        "0012.500",
        "-01.5",
        ".5",
        "-.5",
        "5.",
        "-",
        "--1",
        "1,5",
        "1_000",
        "\u{2212}1",
        "\u{0661}",
        "1.5e0",
        "Infinity",
    ] {
        let response = app
            .graphql_as(
                &token,
                CREATE,
                json!({ "r": { "name": "Tin", "defaultValuePerUnit": { "hasNumericalValue": sent } } }),
            )
            .await?;
        assert_refused(&response, "createResourceSpecification", "BAD_INPUT")
            .map_err(|e| e.context(format!("sent {sent:?}")))?;
        let message = response["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("is not a decimal"), "sent {sent:?}: the message should say why: {message}");
    }
    assert_eq!(app.total("resourceSpecifications").await?, 0);
    Ok(())
}
