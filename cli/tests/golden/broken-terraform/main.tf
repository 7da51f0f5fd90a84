# A broken template in a Terraform heredoc, reported at its line of main.tf.
resource "aws_api_gateway_rest_api" "api" {
  name = "broken"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.post.http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders"
  request_templates = {
    "application/x-www-form-urlencoded" = <<-EOT
      Action=SendMessage&MessageBody=$util.urlEncode($input.body)
      #foreach($h in $input.params().header.keySet())
      &MessageAttribute.$foreach.count.Name=$h
    EOT
  }
}
