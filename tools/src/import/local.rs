//! What a local run assumes for values only AWS knows, the same in every format: the
//! region and account of placeholder ARNs, and the shape of a Lambda integration's URI.

/// The region assumed when a definition does not say (`AWS::Region`, a provider's
/// region); `--parameter` gives another.
pub const REGION: &str = "us-east-1";

/// The account id assumed in ARNs and `AWS::AccountId`.
pub const ACCOUNT: &str = "123456789012";

/// The ARN of a Lambda function named `function`.
pub fn function_arn(region: &str, function: &str) -> String {
    format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{function}")
}

/// The URI through which API Gateway invokes the Lambda function `function_arn`.
///
/// ```
/// use vtl_tools::import::local::{function_arn, lambda_uri};
/// assert_eq!(
///     lambda_uri("aws", "eu-west-1", &function_arn("eu-west-1", "f")),
///     "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations"
/// );
/// ```
pub fn lambda_uri(partition: &str, region: &str, function_arn: &str) -> String {
    format!(
        "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
}
