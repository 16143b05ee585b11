"""The Librato/AppOptics composite metrics language: lexer, parser, function table and a numpy evaluator."""
