"""The call record shared by the call-control and meeting-API Lambdas: one model, one store."""
