//! Reading policies out of Terraform plans and CloudFormation templates.
