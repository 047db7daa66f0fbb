//! The AWS JSON 1.1 wire protocol as Cognito user pools speak it (spec §1), shared by the
//! client side (engine, provisioning) and the embedded emulator.

mod error;
pub mod pool_settings;
mod secret_hash;

pub use error::{ErrorBody, parse_error, sanitize_error_type};
pub use secret_hash::secret_hash;

/// `Content-Type` of every request and of Cognito's answers (spec §1.1, §1.3).
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The service shape name that prefixes every `X-Amz-Target` (spec §1.1).
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";
pub const HEADER_TARGET: &str = "x-amz-target";
pub const HEADER_REQUEST_ID: &str = "x-amzn-requestid";
pub const HEADER_ERROR_TYPE: &str = "x-amzn-errortype";
pub const HEADER_ERROR_MESSAGE: &str = "x-amzn-errormessage";

/// The operations cogbench calls or serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateUserPool,
    DeleteUserPool,
    CreateUserPoolClient,
    SignUp,
    ConfirmSignUp,
    ResendConfirmationCode,
    AdminGetUser,
}

impl Operation {
    pub const ALL: [Operation; 7] = [
        Operation::CreateUserPool,
        Operation::DeleteUserPool,
        Operation::CreateUserPoolClient,
        Operation::SignUp,
        Operation::ConfirmSignUp,
        Operation::ResendConfirmationCode,
        Operation::AdminGetUser,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateUserPool => "CreateUserPool",
            Operation::DeleteUserPool => "DeleteUserPool",
            Operation::CreateUserPoolClient => "CreateUserPoolClient",
            Operation::SignUp => "SignUp",
            Operation::ConfirmSignUp => "ConfirmSignUp",
            Operation::ResendConfirmationCode => "ResendConfirmationCode",
            Operation::AdminGetUser => "AdminGetUser",
        }
    }

    /// The full `X-Amz-Target` value, e.g. `AWSCognitoIdentityProviderService.ConfirmSignUp`.
    pub fn target(self) -> &'static str {
        match self {
            Operation::CreateUserPool => "AWSCognitoIdentityProviderService.CreateUserPool",
            Operation::DeleteUserPool => "AWSCognitoIdentityProviderService.DeleteUserPool",
            Operation::CreateUserPoolClient => {
                "AWSCognitoIdentityProviderService.CreateUserPoolClient"
            }
            Operation::SignUp => "AWSCognitoIdentityProviderService.SignUp",
            Operation::ConfirmSignUp => "AWSCognitoIdentityProviderService.ConfirmSignUp",
            Operation::ResendConfirmationCode => {
                "AWSCognitoIdentityProviderService.ResendConfirmationCode"
            }
            Operation::AdminGetUser => "AWSCognitoIdentityProviderService.AdminGetUser",
        }
    }

    /// Whether real Cognito authorizes the operation with IAM, so the request must carry a SigV4
    /// signature (service `cognito-idp`). SignUp, ConfirmSignUp and ResendConfirmationCode are
    /// public (`noAuth`/`optionalAuth` in the models) and are never signed (spec §1.2, §5).
    pub fn signed(self) -> bool {
        !matches!(
            self,
            Operation::SignUp | Operation::ConfirmSignUp | Operation::ResendConfirmationCode
        )
    }

    /// Resolves an `X-Amz-Target` header value. Only the exact `<prefix>.<Operation>` form
    /// is accepted: whether Cognito takes a fully qualified Java-style prefix is unverified (spec §1.1).
    pub fn from_target(target: &str) -> Option<Operation> {
        let op = target.strip_prefix(TARGET_PREFIX)?.strip_prefix('.')?;
        Operation::ALL.into_iter().find(|o| o.name() == op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_round_trips_for_every_operation() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_target(op.target()), Some(op));
            assert_eq!(op.target(), format!("{TARGET_PREFIX}.{}", op.name()));
        }
    }

    #[test]
    fn only_provisioning_and_admin_operations_are_signed() {
        let signed: Vec<_> = Operation::ALL
            .into_iter()
            .filter(|o| o.signed())
            .map(Operation::name)
            .collect();
        assert_eq!(
            signed,
            [
                "CreateUserPool",
                "DeleteUserPool",
                "CreateUserPoolClient",
                "AdminGetUser"
            ]
        );
    }

    #[test]
    fn unknown_or_malformed_targets_are_rejected() {
        for t in [
            "",
            "ConfirmSignUp",
            "AWSCognitoIdentityProviderService",
            "AWSCognitoIdentityProviderService.",
            "AWSCognitoIdentityProviderService.ConfirmSignUpp",
            "AWSCognitoIdentityProviderServiceXConfirmSignUp",
            "com.amazonaws.cognito.identity.idp.model.AWSCognitoIdentityProviderService.SignUp",
        ] {
            assert_eq!(Operation::from_target(t), None, "{t:?}");
        }
    }
}
